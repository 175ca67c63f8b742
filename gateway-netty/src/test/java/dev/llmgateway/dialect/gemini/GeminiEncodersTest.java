package dev.llmgateway.dialect.gemini;

import dev.llmgateway.dialect.ApiError;
import dev.llmgateway.dialect.FinishReason;
import dev.llmgateway.dialect.JsonCanon;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link GeminiChunkEncoder} and {@link GeminiResponseEncoder}: neutral events in, Gemini's JSON out. */
class GeminiEncodersTest {
    private static final String TAIL = "\"modelVersion\":\"gem\",\"responseId\":\"resp-1\"}";

    /** Each event as its compact JSON, after checking it is exactly one {@code data: <json>\n\n}. */
    private static final class Events implements Consumer<ByteBuf> {
        final List<String> data = new ArrayList<>();

        @Override
        public void accept(ByteBuf event) {
            try {
                String text = event.toString(StandardCharsets.UTF_8);
                assertTrue(text.startsWith("data: ") && text.endsWith("\n\n") && text.indexOf('\n') == text.length() - 2,
                        text);
                data.add(JsonCanon.compact(text.substring(6, text.length() - 2)));
            } finally {
                event.release();
            }
        }
    }

    private final Events client = new Events();
    private final GeminiChunkEncoder stream =
            new GeminiChunkEncoder(PooledByteBufAllocator.DEFAULT, client, "gem", "req-1");

    private static char[] inside(String s) {
        return ("<<" + s + ">>").toCharArray();
    }

    private static String chunk(String part) {
        return "{\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[" + part + "]},\"index\":0}]," + TAIL;
    }

    @Test
    void textReasoningAndAWholeCallThenTheFinishWithUsage() {
        stream.start("resp-1");
        stream.reasoning(inside("think"), 2, 5);
        stream.reasoningSignature("sig");
        stream.text(inside("Hi \"you\""), 2, 8);
        stream.toolCallStart(0, "call_1", "get_weather", null);
        stream.toolCallArguments(0, inside("{\"city\":"), 2, 8);
        stream.toolCallArguments(0, inside("\"Paris\"}"), 2, 8);
        stream.finish(FinishReason.TOOL_CALLS, null);
        stream.usage(10, 4, -1, -1, 7, 2);
        stream.end();
        assertEquals(List.of(
                chunk("{\"text\":\"think\",\"thought\":true}"),
                chunk("{\"text\":\"\",\"thought\":true,\"thoughtSignature\":\"sig\"}"),
                chunk("{\"text\":\"Hi \\\"you\\\"\"}"),
                chunk("{\"functionCall\":{\"id\":\"call_1\",\"name\":\"get_weather\",\"args\":{\"city\":\"Paris\"}}}"),
                "{\"candidates\":[{\"finishReason\":\"STOP\",\"index\":0}],\"usageMetadata\":{\"promptTokenCount\":10,"
                        + "\"candidatesTokenCount\":5,\"totalTokenCount\":17,\"cachedContentTokenCount\":4,"
                        + "\"thoughtsTokenCount\":2}," + TAIL), client.data);
    }

    @Test
    void finishReasonsInGeminisTerms() {
        stream.start("resp-1");
        stream.finish(FinishReason.LENGTH, null);
        stream.end();
        assertEquals("{\"candidates\":[{\"finishReason\":\"MAX_TOKENS\",\"index\":0}]," + TAIL, client.data.get(0));
        GeminiResponseEncoder body = new GeminiResponseEncoder(PooledByteBufAllocator.DEFAULT, "gem", "req-1");
        body.start(null);
        body.finish(FinishReason.CONTENT_FILTER, null);
        body.end();
        ByteBuf bytes = body.body();
        try {
            String json = bytes.toString(StandardCharsets.UTF_8);
            assertTrue(json.contains("\"finishReason\":\"SAFETY\""), json);
            assertTrue(json.endsWith("\"responseId\":\"req-1\"}"), "the request id when the provider gave none");
        } finally {
            bytes.release();
        }
    }

    @Test
    void anErrorIsGooglesErrorObjectAndNothingFollows() {
        stream.start("resp-1");
        stream.text(inside("a"), 2, 1);
        stream.error(new ApiError(HttpResponseStatus.SERVICE_UNAVAILABLE, "server_error", "overloaded", null,
                "Overloaded", -1));
        stream.end();
        assertEquals(List.of(chunk("{\"text\":\"a\"}"),
                "{\"error\":{\"code\":503,\"message\":\"Overloaded\",\"status\":\"UNAVAILABLE\"}}"), client.data);
    }

    @Test
    void argumentsThatAreNoObjectFailTheStreamInsteadOfAMadeUpCall() {
        stream.start("resp-1");
        stream.toolCallStart(0, "call_1", "f", null);
        stream.toolCallArguments(0, inside("{\"a\":"), 2, 5);
        stream.finish(FinishReason.LENGTH, null);
        stream.end();
        assertEquals(1, client.data.size(), client.data.toString());
        assertTrue(client.data.get(0).startsWith("{\"error\":{\"code\":502,"), client.data.get(0));
    }

    @Test
    void aBodyJoinsTextAndKeepsEachCall() {
        GeminiResponseEncoder body = new GeminiResponseEncoder(PooledByteBufAllocator.DEFAULT, "gem", "req-1");
        body.start("resp-1");
        body.reasoning(inside("th"), 2, 2);
        body.reasoning(inside("ink"), 2, 3);
        body.reasoningSignature("sig");
        body.text(inside("Hel"), 2, 3);
        body.text(inside("lo"), 2, 2);
        body.toolCallStart(0, "call_1", "f", "gsig");
        body.toolCallStart(1, "call_2", "g", null);
        body.toolCallArguments(1, inside("{\"x\":[1]}"), 2, 9);
        body.finish(FinishReason.STOP, null);
        body.usage(3, -1, -1, -1, 4, -1);
        body.end();
        ByteBuf bytes = body.body();
        try {
            assertEquals("{\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":["
                    + "{\"text\":\"think\",\"thought\":true,\"thoughtSignature\":\"sig\"},{\"text\":\"Hello\"},"
                    + "{\"functionCall\":{\"id\":\"call_1\",\"name\":\"f\",\"args\":{}},\"thoughtSignature\":\"gsig\"},"
                    + "{\"functionCall\":{\"id\":\"call_2\",\"name\":\"g\",\"args\":{\"x\":[1]}}}]},"
                    + "\"finishReason\":\"STOP\",\"index\":0}],\"usageMetadata\":{\"promptTokenCount\":3,"
                    + "\"candidatesTokenCount\":4,\"totalTokenCount\":7}," + TAIL,
                    bytes.toString(StandardCharsets.UTF_8));
        } finally {
            bytes.release();
        }
    }
}
