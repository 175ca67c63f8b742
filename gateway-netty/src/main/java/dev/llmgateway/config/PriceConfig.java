package dev.llmgateway.config;

/**
 * One model's prices as configured ({@code [prices."MODEL"]}) or shipped. Every rate is in picodollars per token,
 * which is the same number as micro-USD per million tokens ({@code input = 2.5} USD per million is 2,500,000):
 * whole numbers, so a cost is an exact sum of products and spend adds up without rounding. -1 where not given.
 *
 * @param tierThresholdTokens above this many input tokens in one request, every token of it is priced at the
 *                            {@code aboveTier*} rates (0: no tier)
 * @param maxOutputTokens     the model's output cap, for the worst case of a request that names no max_tokens
 */
public record PriceConfig(String model, long input, long output, long cachedInput, long cacheWrite,
                          long cacheWrite1h, long reasoning, long tierThresholdTokens, long aboveTierInput,
                          long aboveTierOutput, long aboveTierCachedInput, long aboveTierCacheWrite,
                          long aboveTierCacheWrite1h, long aboveTierReasoning, long maxOutputTokens) {
}
