package dev.llmgateway.tracing;

import dev.llmgateway.config.TracingConfig;
import io.netty.handler.codec.http.HttpHeaders;

import java.util.Collection;

/** Makes each request's trace; {@link #OFF} when tracing is off. */
public interface Tracing extends AutoCloseable {
    /** Tracing off: every request gets {@link RequestTrace#OFF}. */
    Tracing OFF = new Tracing() {
        @Override
        public RequestTrace begin(HttpHeaders request, String method, String route, String endpoint,
                                  long receivedNanos) {
            return RequestTrace.OFF;
        }

        @Override
        public long droppedSpans() {
            return 0;
        }

        @Override
        public long failedSpans() {
            return 0;
        }

        @Override
        public void secrets(Collection<String> secrets) {
        }

        @Override
        public Tracing forWarmup() {
            return OFF;
        }

        @Override
        public void close() {
        }
    };

    /**
     * Starts a request's server span, continuing the request's {@code traceparent}/{@code tracestate} when it has a
     * valid one. On the request's event loop.
     *
     * @param route         the endpoint's path (the span is named {@code METHOD route}); null for an unknown path
     * @param endpoint      the endpoint's label ({@code chat_completions}...), which names the GenAI operation
     * @param receivedNanos when the request arrived ({@link System#nanoTime()}): the span's start
     */
    RequestTrace begin(HttpHeaders request, String method, String route, String endpoint, long receivedNanos);

    /**
     * The tracing {@code config} asks for: {@link #OFF} when disabled.
     *
     * @param maxContent the most chars of prompt or completion text a span keeps when content is captured
     */
    static Tracing start(TracingConfig config, int maxContent) {
        return config.enabled() ? new OtlpTracing(config, maxContent) : OFF;
    }

    /**
     * The config's secrets, redacted by their exact values from captured prompt and completion text from now on, with
     * those of the config before. Called at start and on each reload, from one thread at a time.
     */
    void secrets(Collection<String> secrets);

    /**
     * The startup warm-up's tracing: spans made, filled and ended on the loops as this tracing's are, for every
     * request (so that the JIT compiles the traced path before real traffic), and never exported. {@link #OFF} when
     * this is off. The caller closes it.
     */
    Tracing forWarmup();

    /** Finished spans dropped because the export queue was full (a slow or dead collector). */
    long droppedSpans();

    /** Spans whose export failed (the collector refused them or could not be reached). */
    long failedSpans();

    /** Exports what is queued, waiting a bounded time, and stops the export thread. */
    @Override
    void close();
}
