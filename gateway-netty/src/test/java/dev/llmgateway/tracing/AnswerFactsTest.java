package dev.llmgateway.tracing;

import dev.llmgateway.config.ProviderConfig;
import dev.llmgateway.dialect.StreamSplits;
import dev.llmgateway.testutil.Fixtures;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The response facts a client span reports, read from each provider API's answers as they pass: streams cut into
 * reads at random places (mid-event, mid-character), bodies in pieces, each read a fresh direct buffer that stays
 * the caller's.
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
}
