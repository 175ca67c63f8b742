package dev.llmgateway.tracing;

import dev.llmgateway.testutil.Fixtures;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The request parameters and (captured) prompt a client span reports, from OpenAI's and Anthropic's requests. */
class RequestParametersTest {
    private static RequestParameters read(String json, int maxText) {
        ByteBuf body = Unpooled.directBuffer().writeBytes(json.getBytes(StandardCharsets.UTF_8));
        try {
            return RequestParameters.read(body, maxText);
        } finally {
            body.release();
        }
    }

    @Test
    void openAiChatParametersAndMessages() {
        RequestParameters p = read(Fixtures.text("openai/request-chat.json"), 1000);

        assertEquals(256, p.maxTokens());
        assertEquals(0.7, p.temperature());
        assertTrue(Double.isNaN(p.topP()), "not in the request");
        assertEquals("[{\"role\":\"system\",\"parts\":[{\"type\":\"text\","
                + "\"content\":\"You are a concise assistant.\"}]},"
                + "{\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"content\":\"What is the capital of France?\"}]}]",
                p.inputMessages());
        assertNull(p.systemInstructions());
    }

    @Test
    void anthropicSystemAndContentBlocks() {
        RequestParameters p = read("""
                {"model":"claude","max_tokens":100,"top_p":0.5,"system":[{"type":"text","text":"Be brief."}],
                 "messages":[{"content":[{"type":"text","text":"Hi"},{"type":"image","source":{"data":"x"}},
                 {"type":"text","text":"there"}],"role":"user"}]}""", 1000);

        assertEquals(100, p.maxTokens());
        assertEquals(0.5, p.topP());
        assertEquals("[{\"type\":\"text\",\"content\":\"Be brief.\"}]", p.systemInstructions());
        assertEquals("[{\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"content\":\"Hi\"},"
                + "{\"type\":\"text\",\"content\":\"there\"}]}]", p.inputMessages(), "a role after the content");
    }

    @Test
    void noTextUnlessCapturedAndAtMostTheCapInAll() {
        assertNull(read(Fixtures.text("openai/request-chat.json"), 0).inputMessages());
        assertEquals("[{\"role\":\"system\",\"parts\":[{\"type\":\"text\",\"content\":\"You are a \"}]},"
                + "{\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"content\":\"\"}]}]",
                read(Fixtures.text("openai/request-chat.json"), 10).inputMessages());
    }

    @Test
    void aBodyThatIsNotJsonHasNoParameters() {
        RequestParameters p = read("{\"max_tokens\":5,", 0);

        assertEquals(5, p.maxTokens(), "what came before the break is kept");
        assertTrue(Double.isNaN(p.temperature()));
    }
}
