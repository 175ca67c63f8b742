package dev.llmgateway.dialect.openai;

import dev.llmgateway.dialect.ApiError;
import dev.llmgateway.dialect.FinishReason;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The OpenAI chunks an OpenAI client gets, driven by the event sequences the Anthropic and Gemini decoders emit.
 * Each output buffer must be exactly one {@code data:} event; {@code created} must be the same in all chunks.
 */
class OpenAiChunkEncoderTest {
    private static final Pattern CREATED = Pattern.compile("\"created\":(\\d+)");
    private static final String DONE = "[DONE]";

    private final List<String> events = new ArrayList<>();

    @Test
    void anthropicTextMessageWithUsage() {
        OpenAiChunkEncoder encoder = encoder(true);
        encoder.start("msg_01XFDUDYJgAACzvnptvVoYEL");
        encoder.usage(24, 0, 0, -1, 1, -1);
        text(encoder, "Hello \"world\"\n");
        text(encoder, " é 🙂");
        encoder.finish(FinishReason.STOP, null);
        encoder.usage(24, 0, 0, -1, 8, -1);
        encoder.end();
        String id = "msg_01XFDUDYJgAACzvnptvVoYEL";
        assertEquals(List.of(
                delta(id, "{\"role\":\"assistant\",\"content\":\"\"}", null, true),
                delta(id, "{\"content\":\"Hello \\\"world\\\"\\n\"}", null, true),
                // Jackson writes a character outside the BMP as an escaped surrogate pair: the same text
                delta(id, "{\"content\":\" é \\uD83D\\uDE42\"}", null, true),
                delta(id, "{}", "stop", true),
                head(id) + "\"choices\":[],\"usage\":{\"prompt_tokens\":24,\"completion_tokens\":8,"
                        + "\"total_tokens\":32,\"prompt_tokens_details\":{\"cached_tokens\":0}}}",
                DONE), data());
    }

    @Test
    void anthropicTextThenTwoToolCallsWithoutUsage() {
        OpenAiChunkEncoder encoder = encoder(false);
        String id = "msg_02";
        encoder.start(id);
        text(encoder, "Let me check.");
        encoder.toolCallStart(0, "toolu_01A", "get_weather", null);
        args(encoder, 0, "");
        args(encoder, 0, "{\"city\":");
        args(encoder, 0, "\"Paris\"}");
        encoder.toolCallStart(1, "toolu_01B", "get_time", null);
        args(encoder, 1, "{}");
        encoder.finish(FinishReason.TOOL_CALLS, null);
        encoder.usage(96, 0, 0, -1, 52, -1);
        encoder.end();
        assertEquals(List.of(
                delta(id, "{\"role\":\"assistant\",\"content\":\"\"}", null, false),
                delta(id, "{\"content\":\"Let me check.\"}", null, false),
                delta(id, "{\"tool_calls\":[{\"index\":0,\"id\":\"toolu_01A\",\"type\":\"function\","
                        + "\"function\":{\"name\":\"get_weather\",\"arguments\":\"\"}}]}", null, false),
                delta(id, "{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"city\\\":\"}}]}",
                        null, false),
                delta(id, "{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"\\\"Paris\\\"}\"}}]}",
                        null, false),
                delta(id, "{\"tool_calls\":[{\"index\":1,\"id\":\"toolu_01B\",\"type\":\"function\","
                        + "\"function\":{\"name\":\"get_time\",\"arguments\":\"\"}}]}", null, false),
                delta(id, "{\"tool_calls\":[{\"index\":1,\"function\":{\"arguments\":\"{}\"}}]}", null, false),
                delta(id, "{}", "tool_calls", false),
                DONE), data());
        assertTrue(events.stream().noneMatch(e -> e.contains("usage")), "no usage unless asked for");
    }

    @Test
    void geminiToolCallWithSignatureAndPlainStopIsToolCalls() {
        OpenAiChunkEncoder encoder = encoder(true);
        encoder.start(null);
        text(encoder, "It is sunny.");
        encoder.toolCallStart(0, "call_g1", "get_weather", "c2lnbmF0dXJl");
        args(encoder, 0, "{\"city\":\"Paris\"}");
        encoder.usage(9, -1, -1, -1, 272, 244);
        encoder.finish(FinishReason.STOP, null);
        encoder.end();
        String id = "chatcmpl-req123";
        assertEquals(List.of(
                delta(id, "{\"role\":\"assistant\",\"content\":\"\"}", null, true),
                delta(id, "{\"content\":\"It is sunny.\"}", null, true),
                delta(id, "{\"tool_calls\":[{\"index\":0,\"id\":\"call_g1__ts_c2lnbmF0dXJl\",\"type\":\"function\","
                        + "\"function\":{\"name\":\"get_weather\",\"arguments\":\"\"}}]}", null, true),
                delta(id, "{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":"
                        + "\"{\\\"city\\\":\\\"Paris\\\"}\"}}]}", null, true),
                delta(id, "{}", "tool_calls", true),
                head(id) + "\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":272,"
                        + "\"total_tokens\":281,\"completion_tokens_details\":{\"reasoning_tokens\":244}}}",
                DONE), data());
    }

    @Test
    void thinkingThenTextWithNoUsageReported() {
        OpenAiChunkEncoder encoder = encoder(true);
        String id = "msg_03";
        encoder.start(id);
        reasoning(encoder, "Let me think");
        reasoning(encoder, " more.");
        encoder.reasoningSignature("EqQBCgIYAhIM1gbcDa9GJwZA2b3h");
        encoder.redactedReasoning("EmwKAhgBEgy3va3pzix");
        text(encoder, "42");
        encoder.finish(FinishReason.STOP, null);
        encoder.end();
        assertEquals(List.of(
                delta(id, "{\"role\":\"assistant\",\"content\":\"\"}", null, true),
                delta(id, "{\"reasoning_content\":\"Let me think\"}", null, true),
                delta(id, "{\"reasoning_content\":\" more.\"}", null, true),
                delta(id, "{\"content\":\"42\"}", null, true),
                delta(id, "{}", "stop", true),
                DONE), data(), "no usage chunk of made-up zeros");
    }

    @Test
    void cachedUsageAndTheOtherFinishReasons() {
        OpenAiChunkEncoder encoder = encoder(true);
        encoder.start("a");
        encoder.usage(130, 100, 20, -1, -1, -1);
        encoder.usage(-1, -1, -1, -1, 12, -1);
        encoder.finish(FinishReason.LENGTH, null);
        encoder.end();
        List<String> data = data();
        assertEquals(delta("a", "{}", "length", true), data.get(1));
        assertEquals(head("a") + "\"choices\":[],\"usage\":{\"prompt_tokens\":130,\"completion_tokens\":12,"
                + "\"total_tokens\":142,\"prompt_tokens_details\":{\"cached_tokens\":100}}}", data.get(2),
                "a later report's unknown counts keep the earlier ones");

        events.clear();
        OpenAiChunkEncoder filtered = encoder(false);
        filtered.start("b");
        filtered.finish(FinishReason.CONTENT_FILTER, null);
        filtered.end();
        assertEquals(delta("b", "{}", "content_filter", false), data().get(1));
    }

    @Test
    void errorMidStreamIsOneErrorEventAndNoDone() {
        OpenAiChunkEncoder encoder = encoder(true);
        encoder.start("msg_04");
        text(encoder, "Partial");
        encoder.error(new ApiError(HttpResponseStatus.valueOf(529), "server_error", "overloaded_error", null,
                "Overloaded", -1));
        assertEquals(List.of(
                delta("msg_04", "{\"role\":\"assistant\",\"content\":\"\"}", null, true),
                delta("msg_04", "{\"content\":\"Partial\"}", null, true),
                "{\"error\":{\"message\":\"Overloaded\",\"type\":\"server_error\",\"param\":null,"
                        + "\"code\":\"overloaded_error\"}}"), data());
    }

    private OpenAiChunkEncoder encoder(boolean includeUsage) {
        return new OpenAiChunkEncoder(PooledByteBufAllocator.DEFAULT, this::collect, "claude-sonnet-4-5",
                includeUsage, "req123");
    }

    private void collect(ByteBuf event) {
        try {
            events.add(event.toString(StandardCharsets.UTF_8));
        } finally {
            event.release();
        }
    }

    /** The events' data, checked to be one event each with one {@code created} for all, which is then 0. */
    private List<String> data() {
        List<String> data = new ArrayList<>();
        String created = null;
        for (String event : events) {
            assertTrue(event.startsWith("data: ") && event.endsWith("\n\n"), event);
            String json = event.substring(6, event.length() - 2);
            assertTrue(!json.contains("\n\n") && !json.contains("data: "), "one event per buffer: " + event);
            Matcher matcher = CREATED.matcher(json);
            if (matcher.find()) {
                created = created == null ? matcher.group(1) : created;
                assertEquals(created, matcher.group(1), "created is pinned for the stream");
                long now = System.currentTimeMillis() / 1000;
                assertTrue(Math.abs(now - Long.parseLong(created)) < 60, created);
                json = matcher.replaceFirst("\"created\":0");
            }
            data.add(json);
        }
        return data;
    }

    private static String head(String id) {
        return "{\"id\":\"" + id + "\",\"object\":\"chat.completion.chunk\",\"created\":0,"
                + "\"model\":\"claude-sonnet-4-5\",";
    }

    private static String delta(String id, String delta, String finishReason, boolean usageNull) {
        return head(id) + "\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"logprobs\":null,\"finish_reason\":"
                + (finishReason == null ? "null" : "\"" + finishReason + "\"") + "}]"
                + (usageNull ? ",\"usage\":null" : "") + "}";
    }

    private static void text(OpenAiChunkEncoder encoder, String text) {
        char[] padded = ("<<" + text + ">>").toCharArray();
        encoder.text(padded, 2, text.length());
    }

    private static void reasoning(OpenAiChunkEncoder encoder, String text) {
        char[] padded = ("<<" + text + ">>").toCharArray();
        encoder.reasoning(padded, 2, text.length());
    }

    private static void args(OpenAiChunkEncoder encoder, int index, String fragment) {
        char[] padded = ("<<" + fragment + ">>").toCharArray();
        encoder.toolCallArguments(index, padded, 2, fragment.length());
    }
}
