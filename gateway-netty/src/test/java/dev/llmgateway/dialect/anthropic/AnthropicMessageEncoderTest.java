package dev.llmgateway.dialect.anthropic;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.llmgateway.dialect.ApiError;
import dev.llmgateway.dialect.FinishReason;
import dev.llmgateway.dialect.JsonCanon;
import dev.llmgateway.json.Json;
import dev.llmgateway.testutil.Fixtures;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class AnthropicMessageEncoderTest {
    private static final String MODEL = "claude-sonnet-4-5-20250929";

    private final AnthropicMessageEncoder encoder =
            new AnthropicMessageEncoder(PooledByteBufAllocator.DEFAULT, MODEL, "req_1");
    private final AnswerFeed feed = new AnswerFeed(encoder);

    @Test
    void textPiecesAreJoinedIntoOneBlock() {
        encoder.start("chatcmpl-1");
        feed.text("Hello");
        feed.text(" \"world\"");
        encoder.finish(FinishReason.STOP, null);
        encoder.usage(10, -1, -1, -1, 3, -1);
        encoder.end();

        assertEquals("{\"id\":\"chatcmpl-1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"" + MODEL
                + "\",\"content\":[{\"type\":\"text\",\"text\":\"Hello \\\"world\\\"\"}],\"stop_reason\":\"end_turn\","
                + "\"stop_sequence\":null,\"usage\":{\"input_tokens\":10,\"cache_creation_input_tokens\":0,"
                + "\"cache_read_input_tokens\":0,\"output_tokens\":3}}", body());
    }

    @Test
    void toolUseInputIsTheObjectTheFragmentsMake() {
        String fixture = Fixtures.text("anthropic/message-tool-use.json");
        encoder.start("msg_01Jd4sWq8XvN2kLp7RtY3bMc");
        feed.text("I'll check the weather");
        feed.text(" in Paris for you.");
        encoder.toolCallStart(0, "toolu_01A09q90qw90lq917835lq9f", "get_weather", null);
        feed.arguments(0, "{\"city\": \"Par");
        feed.arguments(0, "is\", \"unit\": \"celsius\"}");
        encoder.finish(FinishReason.TOOL_CALLS, null);
        encoder.usage(412, 0, 0, -1, 74, -1);
        encoder.end();

        String body = body();
        for (String member : new String[] {"id", "type", "role", "model", "content", "stop_reason", "stop_sequence"}) {
            assertEquals(member(fixture, member), member(body, member), member);
        }
        assertEquals("{\"input_tokens\":412,\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":0,"
                + "\"output_tokens\":74}", member(body, "usage"));
    }

    @Test
    void textThenToolCallEndsInToolUseWhateverTheProviderSaid() {
        encoder.start(null);
        feed.text("Let me look.");
        encoder.toolCallStart(0, "call_1", "ls", null);
        feed.arguments(0, "{\"dir\":\".\"}");
        encoder.toolCallStart(1, "call_2", "pwd", null);
        encoder.finish(FinishReason.STOP, null);
        encoder.end();

        String body = body();
        assertEquals("\"msg_req_1\"", member(body, "id"));
        assertEquals("[{\"type\":\"text\",\"text\":\"Let me look.\"},"
                + "{\"type\":\"tool_use\",\"id\":\"call_1\",\"name\":\"ls\",\"input\":{\"dir\":\".\"}},"
                + "{\"type\":\"tool_use\",\"id\":\"call_2\",\"name\":\"pwd\",\"input\":{}}]", member(body, "content"));
        assertEquals("\"tool_use\"", member(body, "stop_reason"));
    }

    @Test
    void argumentsThatAreNotAnObjectBecomeAnEmptyInput() {
        encoder.start("m");
        encoder.toolCallStart(0, "call_1", "a", null);
        feed.arguments(0, "{\"cut\":");
        encoder.toolCallStart(1, "call_2", "b", null);
        feed.arguments(1, "[1,2]");
        encoder.toolCallStart(2, "call_3", "c", null);
        feed.arguments(2, "{\"x\":1} {\"y\":2}");
        encoder.finish(FinishReason.TOOL_CALLS, null);
        encoder.end();

        assertEquals("[{\"type\":\"tool_use\",\"id\":\"call_1\",\"name\":\"a\",\"input\":{}},"
                + "{\"type\":\"tool_use\",\"id\":\"call_2\",\"name\":\"b\",\"input\":{}},"
                + "{\"type\":\"tool_use\",\"id\":\"call_3\",\"name\":\"c\",\"input\":{}}]", member(body(), "content"));
    }

    @Test
    void parallelCallsInterleavedGetTheirOwnArguments() {
        encoder.start("m");
        encoder.toolCallStart(0, "call_a", "read", null);
        encoder.toolCallStart(1, "call_b", "grep", "sig-b");
        feed.arguments(1, "{\"pattern\":");
        feed.arguments(0, "{\"path\":\"a\"}");
        feed.arguments(1, "\"x\"}");
        encoder.finish(FinishReason.TOOL_CALLS, null);
        encoder.end();

        assertEquals("[{\"type\":\"tool_use\",\"id\":\"call_a\",\"name\":\"read\",\"input\":{\"path\":\"a\"}},"
                + "{\"type\":\"tool_use\",\"id\":\"call_b__ts_sig-b\",\"name\":\"grep\",\"input\":{\"pattern\":\"x\"}}]",
                member(body(), "content"));
    }

    @Test
    void thinkingBlocksKeepTheirSignaturesAndRedactedReasoningIsKept() {
        encoder.start("m");
        feed.reasoning("Hmm");
        feed.reasoning(", yes.");
        encoder.reasoningSignature("sig-1");
        feed.reasoning("Again.");
        encoder.redactedReasoning("EncRypted==");
        feed.text("Done.");
        encoder.finish(FinishReason.STOP, null);
        encoder.end();

        assertEquals("[{\"type\":\"thinking\",\"thinking\":\"Hmm, yes.\",\"signature\":\"sig-1\"},"
                + "{\"type\":\"thinking\",\"thinking\":\"Again.\",\"signature\":\"\"},"
                + "{\"type\":\"redacted_thinking\",\"data\":\"EncRypted==\"},"
                + "{\"type\":\"text\",\"text\":\"Done.\"}]", member(body(), "content"));
    }

    @Test
    void stopSequenceAndCachedUsage() {
        String fixture = Fixtures.text("anthropic/message-stop-sequence-cache.json");
        encoder.start("msg_01Pq2wErTy6UiOp9AsDf3GhJ");
        feed.text("1, 2, 3, 4");
        encoder.finish(FinishReason.STOP, ", 5");
        encoder.usage(18 + 1024, 1024, 0, -1, 12, -1);
        encoder.end();

        String body = body();
        for (String member : new String[] {"id", "content", "stop_reason", "stop_sequence"}) {
            assertEquals(member(fixture, member), member(body, member), member);
        }
        assertEquals("{\"input_tokens\":18,\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":1024,"
                + "\"output_tokens\":12}", member(body, "usage"));
    }

    /** Cache writes keep their split by lifetime on the way back, as Anthropic's own body gives it. */
    @Test
    void cacheWritesAreSplitByLifetime() {
        encoder.start("m");
        feed.text("ok");
        encoder.finish(FinishReason.STOP, null);
        encoder.usage(1_000 + 3_000 + 20_000, 20_000, 3_000, 1_000, 500, -1);
        encoder.end();
        assertEquals("{\"input_tokens\":1000,\"cache_creation_input_tokens\":3000,\"cache_read_input_tokens\":20000,"
                + "\"cache_creation\":{\"ephemeral_5m_input_tokens\":2000,\"ephemeral_1h_input_tokens\":1000},"
                + "\"output_tokens\":500}", member(body(), "usage"));
    }

    @Test
    void lengthAndRefusal() {
        encoder.start("m");
        feed.text("Once upon");
        encoder.finish(FinishReason.LENGTH, null);
        encoder.end();
        assertEquals("\"max_tokens\"", member(body(), "stop_reason"));

        AnthropicMessageEncoder refused = new AnthropicMessageEncoder(PooledByteBufAllocator.DEFAULT, MODEL, "r");
        refused.start("m");
        refused.finish(FinishReason.CONTENT_FILTER, null);
        refused.end();
        ByteBuf body = refused.body();
        try {
            assertEquals("\"refusal\"", member(body.toString(StandardCharsets.UTF_8), "stop_reason"));
            assertEquals("[]", member(body.toString(StandardCharsets.UTF_8), "content"));
        } finally {
            body.release();
        }
    }

    @Test
    void noBodyBeforeTheEndOrAfterAnError() {
        encoder.start("m");
        feed.text("partial");
        assertNull(encoder.body());
        encoder.error(ApiError.upstreamBroken("openai", "reset"));
        assertNull(encoder.body());
        encoder.discard();
    }

    @Test
    void discardFreesABodyNobodyTook() {
        encoder.start("m");
        feed.text("unwanted");
        encoder.finish(FinishReason.STOP, null);
        encoder.end();
        encoder.discard();
        assertNull(encoder.body());
    }

    /** The body as text; released here (the caller owns it). */
    private String body() {
        ByteBuf body = encoder.body();
        try {
            return JsonCanon.compact(body.toString(StandardCharsets.UTF_8));
        } finally {
            body.release();
        }
    }

    /** A top-level member's value, compact. */
    private static String member(String json, String name) {
        StringWriter text = new StringWriter();
        try (JsonParser in = Json.FACTORY.createParser(json); JsonGenerator out = Json.FACTORY.createGenerator(text)) {
            in.nextToken();
            while (in.nextToken() == JsonToken.FIELD_NAME) {
                boolean wanted = in.currentName().equals(name);
                in.nextToken();
                if (wanted) {
                    out.copyCurrentStructure(in);
                    out.flush();
                    return text.toString();
                }
                in.skipChildren();
            }
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + json, e);
        }
        throw new AssertionError("no member " + name + " in " + json);
    }
}
