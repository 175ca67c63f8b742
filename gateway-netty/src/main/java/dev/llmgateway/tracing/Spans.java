package dev.llmgateway.tracing;

/** What the server and client spans record alike. */
final class Spans {
    private Spans() {
    }

    /** The token counts the provider reported (those still unknown, -1, are left out). */
    static void usage(OtlpEncoder out, long input, long output, long cachedInput) {
        if (input >= 0) {
            out.integer(GenAi.INPUT_TOKENS, input);
        }
        if (output >= 0) {
            out.integer(GenAi.OUTPUT_TOKENS, output);
        }
        if (cachedInput >= 0) {
            out.integer(GenAi.CACHED_INPUT_TOKENS, cachedInput);
        }
    }

    /** Milliseconds with microsecond precision, as the access log writes them. */
    static double millis(long nanos) {
        return Math.round(nanos / 1_000.0) / 1_000.0;
    }
}
