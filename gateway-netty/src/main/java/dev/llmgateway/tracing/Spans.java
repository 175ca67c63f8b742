package dev.llmgateway.tracing;

import io.opentelemetry.api.trace.Span;

/** What the server and client spans record alike. */
final class Spans {
    private Spans() {
    }

    /** The token counts the provider reported (those still unknown, -1, are left out). */
    static void usage(Span span, long input, long output, long cachedInput) {
        if (input >= 0) {
            span.setAttribute(GenAi.INPUT_TOKENS, input);
        }
        if (output >= 0) {
            span.setAttribute(GenAi.OUTPUT_TOKENS, output);
        }
        if (cachedInput >= 0) {
            span.setAttribute(GenAi.CACHED_INPUT_TOKENS, cachedInput);
        }
    }

    /** Milliseconds with microsecond precision, as the access log writes them. */
    static double millis(long nanos) {
        return Math.round(nanos / 1_000.0) / 1_000.0;
    }
}
