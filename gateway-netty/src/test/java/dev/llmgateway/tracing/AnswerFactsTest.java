package dev.llmgateway.tracing;

import com.fasterxml.jackson.core.io.SerializedString;
import dev.llmgateway.config.ProviderConfig;
import dev.llmgateway.dialect.ClientDialect;
import dev.llmgateway.dialect.StreamSplits;
import dev.llmgateway.json.JsonSpans;
import dev.llmgateway.sse.SseEvent;
import dev.llmgateway.sse.SseFramer;
import dev.llmgateway.testutil.Fixtures;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The response facts a client span reports, read from each provider API's answers as they pass, or taken from the
 * documents the relay hands over: streams cut into reads at random places (mid-event, mid-character), bodies in
 * pieces, each read a fresh direct buffer that stays the caller's.
 */
class AnswerFactsTest {
    private static final String SSE = "text/event-stream";
    private static final String JSON = "application/json";

    private static AnswerFacts read(String contentType, byte[] answer, List<Integer> cuts, int maxText) {
        AnswerFacts facts = new AnswerFacts(maxText, ProviderConfig.DEFAULT_MAX_SSE_EVENT_BYTES);
        facts.head(contentType);
        int from = 0;
        for (int cut : cuts) {
            ByteBuf read = PooledByteBufAllocator.DEFAULT.directBuffer(cut - from).writeBytes(answer, from, cut - from);
            try {
                facts.feed(read, cut == answer.length);
            } finally {
                read.release();
            }
            from = cut;
        }
        facts.release();
        return facts;
    }

    private static void forEachSplit(String fixture, String contentType, int maxText, Check check) {
        byte[] answer = Fixtures.bytes(fixture);
        check.facts(read(contentType, answer, List.of(answer.length), maxText));
        for (long seed = 0; seed < 20; seed++) {
            check.facts(read(contentType, answer, StreamSplits.randomCuts(answer.length, seed), maxText));
        }
    }

    private interface Check {
        void facts(AnswerFacts facts);
    }

    @Test
    void anOpenAiStream() {
        forEachSplit("openai/chat-completion-stream.sse", SSE, 1000, facts -> {
            assertEquals("chatcmpl-Bq7XhT2mLr9wKfA3sVn1eYpZuH0dG", facts.id());
            assertEquals("gpt-4o-mini-2024-07-18", facts.model());
            assertEquals(List.of("stop"), facts.finishReasons());
            assertEquals("The capital of France is Paris.", facts.text());
        });
    }

    @Test
    void anOpenAiBody() {
        forEachSplit("openai/chat-completion.json", JSON, 1000, facts -> {
            assertEquals("chatcmpl-Bq7XhT2mLr9wKfA3sVn1eYpZuH0dG", facts.id());
            assertEquals("gpt-4o-mini-2024-07-18", facts.model());
            assertEquals(List.of("stop"), facts.finishReasons());
            assertEquals("The capital of France is Paris.", facts.text());
        });
    }

    @Test
    void anAnthropicStream() {
        forEachSplit("anthropic/message-stream.sse", SSE, 1000, facts -> {
            assertEquals("msg_01QxZ7bT4nLm2VcR8sWk5PyH", facts.id());
            assertEquals("claude-sonnet-4-5-20250929", facts.model());
            assertEquals(List.of("end_turn"), facts.finishReasons());
            assertEquals("The capital of France is Paris.", facts.text());
        });
    }

    @Test
    void anAnthropicBody() {
        forEachSplit("anthropic/message.json", JSON, 1000, facts -> {
            assertEquals("msg_01Hk9TzQmWv3RbN7pLx2YcDa", facts.id());
            assertEquals("claude-sonnet-4-5-20250929", facts.model());
            assertEquals(List.of("end_turn"), facts.finishReasons());
        });
    }

    @Test
    void aGeminiBody() {
        forEachSplit("gemini/generate-content.json", JSON, 1000, facts -> {
            assertEquals("Un6LacrVMcjUxs0PmJfWoQc", facts.id());
            assertEquals("gemini-2.5-flash", facts.model());
            assertEquals(List.of("STOP"), facts.finishReasons());
            assertEquals("The capital of France is Paris.", facts.text());
        });
    }

    @Test
    void textIsKeptOnlyWhenCapturedAndOnlyUpToItsCap() {
        forEachSplit("openai/chat-completion-stream.sse", SSE, 0, facts -> assertNull(facts.text()));
        forEachSplit("openai/chat-completion-stream.sse", SSE, 11, facts ->
                assertEquals("The capital", facts.text()));
    }

    @Test
    void withoutCaptureOnlyTheEventsThatTellSomethingNewAreParsedAndEveryFactIsFound() {
        forEachSplit("openai/chat-completion-stream.sse", SSE, 0, facts -> {
            assertEquals("chatcmpl-Bq7XhT2mLr9wKfA3sVn1eYpZuH0dG", facts.id());
            assertEquals("gpt-4o-mini-2024-07-18", facts.model());
            assertEquals(List.of("stop"), facts.finishReasons());
        });
        forEachSplit("anthropic/message-stream.sse", SSE, 0, facts -> {
            assertEquals("msg_01QxZ7bT4nLm2VcR8sWk5PyH", facts.id());
            assertEquals("claude-sonnet-4-5-20250929", facts.model());
            assertEquals(List.of("end_turn"), facts.finishReasons());
        });
        // Spaced JSON, a reason before a null one in the same event, and names that only look like members.
        byte[] answer = ("data: {\"id\":\"c1\",\"model\":\"m\",\"choices\":[{\"finish_reason\":null}]}\n\n"
                + "data: {\"id\":\"c1\",\"choices\":[{\"delta\":{\"content\":\"say \\\"finish_reason\\\": \\\"x\\\"\"},"
                + "\"finish_reason\":null}]}\n\n"
                + "data: {\"id\":\"c1\", \"choices\": [{\"index\": 0, \"finish_reason\" : \"length\"},"
                + " {\"index\": 1, \"finish_reason\": null}]}\n\n").getBytes(StandardCharsets.UTF_8);
        AnswerFacts facts = read(SSE, answer, List.of(answer.length), 0);

        assertEquals(List.of("length"), facts.finishReasons(), "the reason in the prompt's text is no member");
    }

    @Test
    void aBodyReadWholeStopsOnceAllIsKnownAndOnlyThen() {
        // After the choices all is known: the rest is not parsed (a reason there would not be seen, nor its error).
        byte[] complete = ("{\"id\":\"c1\",\"model\":\"m\",\"choices\":[{\"finish_reason\":\"stop\"},"
                + "{\"finish_reason\":\"length\"}],\"stop_reason\":\"not_read\",\"usage\":{\"prompt_tokens\":oops}")
                .getBytes(StandardCharsets.UTF_8);
        AnswerFacts facts = read(JSON, complete, List.of(complete.length), 0);
        assertEquals("c1", facts.id());
        assertEquals(List.of("stop", "length"), facts.finishReasons(), "every choice's reason, read before the stop");

        // Gemini names its id and model last: nothing stops before them.
        byte[] gemini = ("{\"candidates\":[{\"finishReason\":\"STOP\"}],\"usageMetadata\":{\"totalTokenCount\":3},"
                + "\"modelVersion\":\"g\",\"responseId\":\"r\"}").getBytes(StandardCharsets.UTF_8);
        facts = read(JSON, gemini, List.of(gemini.length), 0);
        assertEquals("r", facts.id());
        assertEquals("g", facts.model());

        // A stream's later event with another reason is still read, though all was known before it.
        byte[] stream = ("data: {\"id\":\"c1\",\"model\":\"m\",\"choices\":[{\"finish_reason\":\"stop\"}]}\n\n"
                + "data: {\"id\":\"c1\",\"choices\":[{\"index\":1,\"finish_reason\":\"length\"}]}\n\n")
                .getBytes(StandardCharsets.UTF_8);
        assertEquals(List.of("stop", "length"), read(SSE, stream, List.of(stream.length), 0).finishReasons());
    }

    @Test
    void anAnswerThatIsNotJsonHasNoFactsAndNoFailure() {
        byte[] answer = "data: not json\n\ndata: {\"id\":\"x\"}\n\n".getBytes(StandardCharsets.UTF_8);
        AnswerFacts facts = read(SSE, answer, List.of(5, answer.length), 0);

        assertNull(facts.id(), "the stream is unreadable from its first bad event on");
        assertEquals(List.of(), facts.finishReasons());
    }

    /**
     * The facts as the relay hands them over: each event's data framed from the reads (an event split across reads
     * is a composite), a body gathered whole as a composite of its reads; the model's span found as the relay finds
     * it, by the model's path in the dialect.
     */
    private static AnswerFacts handed(ClientDialect dialect, String contentType, byte[] answer, List<Integer> cuts,
                                      SerializedString... modelPath) {
        AnswerFacts facts = new AnswerFacts(0, ProviderConfig.DEFAULT_MAX_SSE_EVENT_BYTES);
        List<ByteBuf> reads = new ArrayList<>();
        int from = 0;
        for (int cut : cuts) {
            reads.add(PooledByteBufAllocator.DEFAULT.directBuffer(cut - from).writeBytes(answer, from, cut - from));
            from = cut;
        }
        if (contentType.equals(SSE)) {
            SseFramer framer = new SseFramer(event -> handEvent(facts, dialect, event, modelPath),
                    ProviderConfig.DEFAULT_MAX_SSE_EVENT_BYTES);
            reads.forEach(framer::feed); // the framer takes each read
            framer.finish();
        } else {
            CompositeByteBuf body = PooledByteBufAllocator.DEFAULT.compositeBuffer(Integer.MAX_VALUE);
            reads.forEach(read -> body.addComponent(true, read));
            try {
                facts.document(dialect, body, body.readerIndex(), body.writerIndex(), modelSpan(body,
                        body.readerIndex(), body.readableBytes(), modelPath), LIKELY_MODEL);
            } finally {
                body.release();
            }
        }
        return facts;
    }

    private static void handEvent(AnswerFacts facts, ClientDialect dialect, SseEvent event,
                                  SerializedString[] modelPath) {
        ByteBuf bytes = event.content();
        try {
            if (event.hasData() && !event.isDone() && event.dataLineCount() == 1) {
                int start = event.dataOffset();
                facts.document(dialect, bytes, start, start + event.dataLength(),
                        modelSpan(bytes, start, event.dataLength(), modelPath), LIKELY_MODEL);
            }
        } finally {
            bytes.release();
        }
    }

    private static long modelSpan(ByteBuf bytes, int start, int length, SerializedString[] path) {
        try {
            return JsonSpans.findString(bytes, start, length, path);
        } catch (IOException notJson) {
            return -1;
        }
    }

    private static void forEachHandedSplit(ClientDialect dialect, String fixture, Check check,
                                           SerializedString... modelPath) {
        byte[] answer = Fixtures.bytes(fixture);
        String type = fixture.endsWith(".sse") ? SSE : JSON;
        check.facts(handed(dialect, type, answer, List.of(answer.length), modelPath));
        for (int cut = 1; cut < answer.length; cut += 23) {
            check.facts(handed(dialect, type, answer, List.of(cut, answer.length), modelPath));
        }
        for (long seed = 0; seed < 20; seed++) {
            check.facts(handed(dialect, type, answer, StreamSplits.randomCuts(answer.length, seed), modelPath));
        }
    }

    private static final SerializedString MODEL = new SerializedString("model");
    /** As the span passes the model it asked for: the OpenAI fixtures name it (kept as it is), the others do not. */
    private static final String LIKELY_MODEL = "gpt-4o-mini-2024-07-18";

    private static Check are(String id, String model, String reason) {
        return facts -> {
            assertEquals(id, facts.id());
            assertEquals(model, facts.model());
            assertEquals(List.of(reason), facts.finishReasons());
        };
    }

    @Test
    void handedOverTheFactsOfEveryProviderApiAreTheSameAsRead() {
        forEachHandedSplit(ClientDialect.OPENAI, "openai/chat-completion-stream.sse",
                are("chatcmpl-Bq7XhT2mLr9wKfA3sVn1eYpZuH0dG", "gpt-4o-mini-2024-07-18", "stop"), MODEL);
        forEachHandedSplit(ClientDialect.OPENAI, "openai/chat-completion.json",
                are("chatcmpl-Bq7XhT2mLr9wKfA3sVn1eYpZuH0dG", "gpt-4o-mini-2024-07-18", "stop"), MODEL);
        forEachHandedSplit(ClientDialect.ANTHROPIC, "anthropic/message-stream.sse",
                are("msg_01QxZ7bT4nLm2VcR8sWk5PyH", "claude-sonnet-4-5-20250929", "end_turn"),
                new SerializedString("message"), MODEL);
        forEachHandedSplit(ClientDialect.ANTHROPIC, "anthropic/message.json",
                are("msg_01Hk9TzQmWv3RbN7pLx2YcDa", "claude-sonnet-4-5-20250929", "end_turn"), MODEL);
        forEachHandedSplit(ClientDialect.GEMINI, "gemini/generate-content.json",
                are("Un6LacrVMcjUxs0PmJfWoQc", "gemini-2.5-flash", "STOP"), new SerializedString("modelVersion"));
    }

    @Test
    void handedOverTheIdsBeforeAnyArrayAreTheAnswersOwnAndTheToolCallsAreNot() {
        forEachHandedSplit(ClientDialect.OPENAI, "openai/chat-completion-stream-tool-calls.sse", facts ->
                assertTrue(facts.id().startsWith("chatcmpl-"), facts.id()), MODEL);
        forEachHandedSplit(ClientDialect.ANTHROPIC, "anthropic/message-stream-tool-use.sse", facts ->
                assertTrue(facts.id().startsWith("msg_"), facts.id()), new SerializedString("message"), MODEL);
        forEachHandedSplit(ClientDialect.OPENAI, "openai/responses-stream.sse", facts -> {
            assertTrue(facts.id().startsWith("resp_"), facts.id());
            assertEquals("gpt-4.1-mini-2025-04-14", facts.model());
            assertEquals(List.of(), facts.finishReasons(), "the Responses API names none");
        }, new SerializedString("response"), MODEL);

        // Anthropic's one stop_reason is the last: a tool's input object may have a member of that name.
        byte[] toolInput = ("{\"id\":\"msg_1\",\"model\":\"c\",\"content\":[{\"type\":\"tool_use\",\"id\":\"toolu_1\","
                + "\"input\":{\"stop_reason\":\"not_this\"}}],\"stop_reason\":\"tool_use\",\"stop_sequence\":null}")
                .getBytes(StandardCharsets.UTF_8);
        AnswerFacts anthropic = handed(ClientDialect.ANTHROPIC, JSON, toolInput, List.of(toolInput.length), MODEL);
        assertEquals(List.of("tool_use"), anthropic.finishReasons());
        assertEquals("msg_1", anthropic.id());

        // An answer without a leading id names none, rather than its first tool call's.
        byte[] noId = "{\"choices\":[{\"message\":{\"tool_calls\":[{\"id\":\"call_1\"}]}}],\"model\":\"m\"}"
                .getBytes(StandardCharsets.UTF_8);
        assertNull(handed(ClientDialect.OPENAI, JSON, noId, List.of(noId.length), MODEL).id());
    }

    @Test
    void handedOverAStreamsReasonInALateEventIsFoundAndEachEventsInOrder() {
        byte[] stream = ("data: {\"id\":\"c1\",\"model\":\"m\",\"choices\":[{\"finish_reason\":null}]}\n\n"
                + "data: {\"id\":\"c1\",\"choices\":[{\"delta\":{\"content\":\"say \\\"finish_reason\\\": \\\"x\\\"\"},"
                + "\"finish_reason\":null}]}\n\n"
                + "data: {\"id\":\"c1\", \"choices\": [{\"index\": 0, \"finish_reason\" : \"length\"},"
                + " {\"index\": 1, \"finish_reason\": \"stop\"}, {\"index\": 2, \"finish_reason\": null}]}\n\n"
                + "data: {\"id\":\"c1\",\"choices\":[{\"index\":3,\"finish_reason\":\"tool_calls\"}]}\n\n"
                + "data: [DONE]\n\n").getBytes(StandardCharsets.UTF_8);
        for (int cut = 1; cut < stream.length; cut++) {
            AnswerFacts facts = handed(ClientDialect.OPENAI, SSE, stream, List.of(cut, stream.length), MODEL);
            assertEquals(List.of("length", "stop", "tool_calls"), facts.finishReasons(), "cut at " + cut);
            assertEquals("m", facts.model());
        }
    }

    @Test
    void handedOverIdsModelsAndReasonsWithEscapesAreDecoded() {
        byte[] body = ("{\"id\" : \"chat\\\"cmpl\\\\1\\u00e9\",\"model\":\"m\\/1\","
                + "\"choices\":[{\"finish_reason\":\"st\\u006fp\"}]}").getBytes(StandardCharsets.UTF_8);
        for (int cut = 1; cut < body.length; cut++) {
            AnswerFacts facts = handed(ClientDialect.OPENAI, JSON, body, List.of(cut, body.length), MODEL);
            assertEquals("chat\"cmpl\\1\u00e9", facts.id(), "cut at " + cut);
            assertEquals("m/1", facts.model());
            assertEquals(List.of("stop"), facts.finishReasons());
        }
    }

    @Test
    void handedOverTheModelAskedForAndADocumentedReasonAreNotMadeAgain() {
        byte[] body = Fixtures.bytes("openai/chat-completion.json");
        AnswerFacts facts = handed(ClientDialect.OPENAI, JSON, body, List.of(100, body.length), MODEL);
        assertSame(LIKELY_MODEL, facts.model());
        assertSame("stop", facts.finishReasons().get(0), "the literal, not a string decoded from the bytes");
    }
}
