package dev.llmgateway.dialect;

/**
 * The sampling settings a client's request sets at its top level, as it sent them (traces report them as
 * {@code gen_ai.request.*}): read by the request's one scan, so that nothing parses the body again for them. The
 * scan's result is itself one, so that a request allocates nothing more for them, traced or not.
 */
public interface SamplingParameters {
    /** None set (and every Gemini request, whose settings sit in {@code generationConfig}). */
    SamplingParameters NONE = new SamplingParameters() {
        @Override
        public long requestedMaxTokens() {
            return -1;
        }

        @Override
        public double temperature() {
            return Double.NaN;
        }

        @Override
        public double topP() {
            return Double.NaN;
        }
    };

    /**
     * {@code max_tokens}, {@code max_completion_tokens} or {@code max_output_tokens} (the last one given as an
     * integer), or -1.
     */
    long requestedMaxTokens();

    /** {@code temperature}, or NaN. */
    double temperature();

    /** {@code top_p}, or NaN. */
    double topP();
}
