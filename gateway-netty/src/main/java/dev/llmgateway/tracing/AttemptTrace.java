package dev.llmgateway.tracing;

import dev.llmgateway.dialect.ClientDialect;
import dev.llmgateway.dialect.TokenUsage;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;

/** One upstream attempt's client span. All methods run on the request's event loop; each is a no-op after the end. */
public interface AttemptTrace {
    /** How an attempt ended, as the span's {@code llm_gateway.outcome} says. */
    enum Outcome {
        /** The answer reached the client whole. */
        COMPLETED,
        /** The client went away during the attempt. */
        CANCELLED,
        /** The client had the head (a stream had begun) when the attempt failed: its stream ended with an error. */
        FAILED_MID_STREAM,
        /** Failed before anything reached the client: retried, fallen back, or the client got an error. */
        FAILED;

        final String label = name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Tracing off, or an attempt that is not traced. */
    AttemptTrace OFF = new AttemptTrace() {
        @Override
        public void propagate(HttpHeaders upstreamRequest) {
        }

        @Override
        public void head(HttpResponse head) {
        }

        @Override
        public void content(HttpContent piece) {
        }

        @Override
        public boolean takesAnswerFacts(ClientDialect dialect) {
            return false;
        }

        @Override
        public void answered(ByteBuf bytes, int start, int end, long modelSpan) {
        }

        @Override
        public void ended(Outcome outcome, String errorType, TokenUsage usage, long firstTokenNanos) {
        }
    };

    /** Names this span as the parent of the provider's work: sets {@code traceparent} on the upstream request. */
    void propagate(HttpHeaders upstreamRequest);

    /** The provider's response head. */
    void head(HttpResponse head);

    /**
     * A piece of the provider's answer, read for the response facts (id, model, finish reasons) unless the relay
     * hands them over ({@link #takesAnswerFacts}); stays the caller's.
     */
    void content(HttpContent piece);

    /**
     * Asked by a relay that reads the successful answer's JSON anyway (in {@code dialect}), at its head: true when
     * the span takes its facts from the relay ({@link #answered}, each document once) and reads no piece itself;
     * false (tracing off, unsampled, content captured) when {@link #answered} is not to be called.
     */
    boolean takesAnswerFacts(ClientDialect dialect);

    /**
     * One JSON document of the answer, {@code bytes[start, end)} (the body, or one event's data; stays the
     * caller's), with the span of its model's string value the relay found ({@code (start << 32) | end}, quotes
     * included), or -1.
     */
    void answered(ByteBuf bytes, int start, int end, long modelSpan);

    /**
     * Ends the span.
     *
     * @param errorType       null unless it failed (a provider status >= 400 is named by the span itself)
     * @param usage           the exchange's token counts (those still unknown are -1)
     * @param firstTokenNanos when the first token reached the client ({@link System#nanoTime()}), -1 if none did
     */
    void ended(Outcome outcome, String errorType, TokenUsage usage, long firstTokenNanos);
}
