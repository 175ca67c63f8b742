package dev.llmgateway.dialect;

/**
 * The sampling settings a client's request sets at its top level, as it sent them (traces report them as
 * {@code gen_ai.request.*}): read by the request's one scan, so that nothing parses the body again for them.
 *
 * @param maxTokens   {@code max_tokens}, {@code max_completion_tokens} or {@code max_output_tokens} (the last one
 *                    given as an integer), or -1
 * @param temperature {@code temperature}, or NaN
 * @param topP        {@code top_p}, or NaN
 */
public record SamplingParameters(long maxTokens, double temperature, double topP) {
    /** None set (and every Gemini request, whose settings sit in {@code generationConfig}). */
    public static final SamplingParameters NONE = new SamplingParameters(-1, Double.NaN, Double.NaN);
}
