package dev.llmgateway.exchange;

import dev.llmgateway.dialect.SamplingParameters;
import dev.llmgateway.testutil.Fixtures;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The sampling settings the request's one scan reads for traces, from OpenAI's and Anthropic's requests. */
class RequestBodySamplingTest {
    private static SamplingParameters scan(String json) throws RequestBodyScanner.InvalidBody {
        ByteBuf body = Unpooled.directBuffer().writeBytes(json.getBytes(StandardCharsets.UTF_8));
        try {
            return RequestBodyScanner.scan(body);
        } finally {
            body.release();
        }
    }

    @Test
    void anOpenAiChatRequest() throws Exception {
        SamplingParameters p = scan(Fixtures.text("openai/request-chat.json"));

        assertEquals(256, p.requestedMaxTokens());
        assertEquals(0.7, p.temperature());
        assertTrue(Double.isNaN(p.topP()), "not in the request");
    }

    @Test
    void anAnthropicRequestWithIntegerTopPAndNestedLookalikes() throws Exception {
        SamplingParameters p = scan("""
                {"model":"claude","max_tokens":100,"top_p":1,"metadata":{"temperature":0.1},
                 "tools":[{"name":"t","input_schema":{"properties":{"max_tokens":{"type":"integer"}}}}],
                 "messages":[{"role":"user","content":"Hi"}]}""");

        assertEquals(100, p.requestedMaxTokens());
        assertEquals(1.0, p.topP());
        assertTrue(Double.isNaN(p.temperature()), "only top-level members count");
    }

    @Test
    void theLastMaxTokensNameGivenAsAnIntegerCountsAndOtherTypesAreIgnored() throws Exception {
        SamplingParameters p = scan("""
                {"model":"m","max_completion_tokens":64,"max_tokens":"many","temperature":"hot","top_p":null}""");

        assertEquals(64, p.requestedMaxTokens());
        assertTrue(Double.isNaN(p.temperature()));
        assertTrue(Double.isNaN(p.topP()));
    }

    @Test
    void numbersAreReadAsDoubleParseDoubleReadsThem() throws Exception {
        for (String number : new String[] {"0.7", "1", "0.95", "-0.5", "2.0", "0.1", "0.30000000000000004", "1e-1",
                "7E2", "0.123456789012345678", "123456789012345.6", "-0", "0.000001"}) {
            SamplingParameters p = scan("{\"model\":\"m\",\"temperature\":" + number + ",\"top_p\":" + number + "}");

            assertEquals(Double.parseDouble(number), p.temperature(), number);
            assertEquals(Double.doubleToRawLongBits(Double.parseDouble(number)), Double.doubleToRawLongBits(p.topP()),
                    number);
        }
    }

    @Test
    void aRequestSettingNoneHasNone() throws Exception {
        SamplingParameters p = scan("{\"model\":\"m\",\"messages\":[]}");

        assertEquals(-1, p.requestedMaxTokens());
        assertTrue(Double.isNaN(p.temperature()));
        assertTrue(Double.isNaN(p.topP()));
    }
}
