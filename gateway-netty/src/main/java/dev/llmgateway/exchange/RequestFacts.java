package dev.llmgateway.exchange;

import dev.llmgateway.dialect.SamplingParameters;

/**
 * What the gateway needs from a request body, read in one streaming pass. Indexes are absolute in the request
 * content; -1 where the member is absent.
 *
 * @param model                the top-level {@code model}
 * @param modelStart           where the model's JSON string (quotes included) starts
 * @param modelEnd             just past its closing quote
 * @param stream               {@code "stream": true}
 * @param includeUsage         {@code "stream_options": {"include_usage": true}}
 * @param objectEnd            the top-level object's closing brace
 * @param streamOptionsStart   the opening brace of {@code stream_options} when it is an object
 * @param streamOptionsEmpty   {@code stream_options} is {@code {}}
 * @param includeUsageStart    the value of {@code stream_options.include_usage}
 * @param includeUsageEnd      just past that value
 * @param maxOutputTokens      the most output tokens the request asks for ({@code max_tokens},
 *                             {@code max_completion_tokens} or {@code max_output_tokens}, times {@code n}), or -1
 * @param requestedMaxTokens   for traces ({@link SamplingParameters}): the last of {@code max_tokens},
 *                             {@code max_completion_tokens}, {@code max_output_tokens} given as an integer, or -1
 * @param temperature          for traces: {@code temperature}, or NaN
 * @param topP                 for traces: {@code top_p}, or NaN
 */
public record RequestFacts(String model, int modelStart, int modelEnd, boolean stream, boolean includeUsage,
                          int objectEnd, int streamOptionsStart, boolean streamOptionsEmpty, int includeUsageStart,
                          int includeUsageEnd, long maxOutputTokens, long requestedMaxTokens, double temperature,
                          double topP) implements SamplingParameters {
}
