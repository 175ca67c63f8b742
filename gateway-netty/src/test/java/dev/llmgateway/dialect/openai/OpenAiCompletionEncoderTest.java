package dev.llmgateway.dialect.openai;

import dev.llmgateway.dialect.FinishReason;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The {@code chat.completion} body an OpenAI client gets, from Anthropic- and Gemini-shaped event sequences. */
class OpenAiCompletionEncoderTest {
    @Test
    void anthropicTextMessage() {
        OpenAiCompletionEncoder encoder = encoder();
        encoder.start("msg_01");
        encoder.usage(24, 0, 0, -1, 1, -1);
        text(encoder, "The capital");
        text(encoder, " is Paris.");
        encoder.finish(FinishReason.STOP, null);
        encoder.usage(24, 0, 0, -1, 8, -1);
        encoder.end();
        assertEquals("{\"id\":\"msg_01\",\"object\":\"chat.completion\",\"created\":0,\"model\":\"claude-x\","
                + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"The capital is Paris.\","
                + "\"refusal\":null},\"logprobs\":null,\"finish_reason\":\"stop\"}],"
                + "\"usage\":{\"prompt_tokens\":24,\"completion_tokens\":8,\"total_tokens\":32,"
                + "\"prompt_tokens_details\":{\"cached_tokens\":0}}}", body(encoder));
    }

    @Test
    void reasoningTextAndToolCallsWithAPlainStop() {
        OpenAiCompletionEncoder encoder = encoder();
        encoder.start(null);
        char[] thought = "Think.".toCharArray();
        encoder.reasoning(thought, 0, thought.length);
        encoder.reasoningSignature("sig-of-thinking");
        text(encoder, "Checking.");
        encoder.toolCallStart(0, "call_1", "get_weather", "c2ln");
        args(encoder, 0, "{\"city\":");
        args(encoder, 0, "\"Paris\"}");
        encoder.toolCallStart(1, "call_2", "now", null);
        encoder.finish(FinishReason.STOP, null);
        encoder.usage(9, -1, -1, -1, 272, 244);
        encoder.end();
        assertEquals("{\"id\":\"chatcmpl-req9\",\"object\":\"chat.completion\",\"created\":0,\"model\":\"claude-x\","
                + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Checking.\","
                + "\"reasoning_content\":\"Think.\",\"tool_calls\":["
                + "{\"id\":\"call_1__ts_c2ln\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
                + "\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}},"
                + "{\"id\":\"call_2\",\"type\":\"function\",\"function\":{\"name\":\"now\",\"arguments\":\"{}\"}}],"
                + "\"refusal\":null},\"logprobs\":null,\"finish_reason\":\"tool_calls\"}],"
                + "\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":272,\"total_tokens\":281,"
                + "\"completion_tokens_details\":{\"reasoning_tokens\":244}}}", body(encoder));
    }

    @Test
    void onlyAToolCallHasNullContentAndNoUsageWhenNoneWasReported() {
        OpenAiCompletionEncoder encoder = encoder();
        encoder.start("msg_2");
        encoder.toolCallStart(0, "toolu_1", "lookup", null);
        args(encoder, 0, "{\"q\":\"x\"}");
        encoder.finish(FinishReason.TOOL_CALLS, null);
        encoder.end();
        assertEquals("{\"id\":\"msg_2\",\"object\":\"chat.completion\",\"created\":0,\"model\":\"claude-x\","
                + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":null,\"tool_calls\":["
                + "{\"id\":\"toolu_1\",\"type\":\"function\",\"function\":{\"name\":\"lookup\","
                + "\"arguments\":\"{\\\"q\\\":\\\"x\\\"}\"}}],\"refusal\":null},\"logprobs\":null,"
                + "\"finish_reason\":\"tool_calls\"}]}", body(encoder));
    }

    @Test
    void bodyIsNullBeforeTheEndAndTakenOnce() {
        OpenAiCompletionEncoder encoder = encoder();
        encoder.start("m");
        assertNull(encoder.body());
        encoder.finish(FinishReason.LENGTH, null);
        encoder.end();
        ByteBuf body = encoder.body();
        try {
            assertTrue(body.toString(StandardCharsets.UTF_8).contains("\"finish_reason\":\"length\""));
            assertNull(encoder.body(), "the caller owns the body it took");
            encoder.discard();
            assertEquals(1, body.refCnt(), "discard leaves a taken body alone");
        } finally {
            body.release();
        }
    }

    @Test
    void discardFreesABodyNobodyTook() {
        OpenAiCompletionEncoder encoder = encoder();
        encoder.start("m");
        encoder.finish(FinishReason.STOP, null);
        encoder.end();
        encoder.discard();
        assertNull(encoder.body());
    }

    private static OpenAiCompletionEncoder encoder() {
        return new OpenAiCompletionEncoder(PooledByteBufAllocator.DEFAULT, "claude-x", "req9");
    }

    /** The body, with its {@code created} (checked to be now) set to 0. */
    private static String body(OpenAiCompletionEncoder encoder) {
        ByteBuf body = encoder.body();
        try {
            String json = body.toString(StandardCharsets.UTF_8);
            java.util.regex.Matcher created = java.util.regex.Pattern.compile("\"created\":(\\d+)").matcher(json);
            assertTrue(created.find(), json);
            assertTrue(Math.abs(System.currentTimeMillis() / 1000 - Long.parseLong(created.group(1))) < 60);
            return created.replaceFirst("\"created\":0");
        } finally {
            body.release();
        }
    }

    private static void text(OpenAiCompletionEncoder encoder, String text) {
        char[] padded = ("[" + text + "]").toCharArray();
        encoder.text(padded, 1, text.length());
    }

    private static void args(OpenAiCompletionEncoder encoder, int index, String fragment) {
        char[] padded = ("[" + fragment + "]").toCharArray();
        encoder.toolCallArguments(index, padded, 1, fragment.length());
    }
}
