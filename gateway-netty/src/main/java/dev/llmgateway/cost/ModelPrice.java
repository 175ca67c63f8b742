package dev.llmgateway.cost;

import dev.llmgateway.config.PriceConfig;
import dev.llmgateway.dialect.TokenUsage;

/**
 * One model's prices, resolved (a rate not given takes the rate it defaults to) and ready to price a request: in
 * picodollars per token ({@link Usd}). Immutable; a route holds its model's price, found once per config.
 */
public final class ModelPrice {
    private final String model;
    private final Rates base;
    private final Rates aboveTier;
    private final long tierThresholdTokens;
    private final long maxOutputTokens;

    /** One price level: base, or above the long-context threshold. */
    record Rates(long input, long output, long cachedInput, long cacheWrite, long cacheWrite1h, long reasoning) {
        /** The dearest an input token can be: a cache write may cost more than a plain input token. */
        long worstInput() {
            return Math.max(input, Math.max(cacheWrite, cacheWrite1h));
        }

        long worstOutput() {
            return Math.max(output, reasoning);
        }
    }

    public ModelPrice(PriceConfig c) {
        this.model = c.model();
        this.base = rates(c.input(), c.output(), c.cachedInput(), c.cacheWrite(), c.cacheWrite1h(), c.reasoning());
        this.tierThresholdTokens = Math.max(0, c.tierThresholdTokens());
        // Above the tier, a rate not given is the base rate when the base one was given, else it follows the
        // above-tier input or output rate as the base one follows the base input or output rate.
        this.aboveTier = tierThresholdTokens == 0 ? base : rates(or(c.aboveTierInput(), c.input()),
                or(c.aboveTierOutput(), c.output()), or(c.aboveTierCachedInput(), c.cachedInput()),
                or(c.aboveTierCacheWrite(), c.cacheWrite()), or(c.aboveTierCacheWrite1h(), c.cacheWrite1h()),
                or(c.aboveTierReasoning(), c.reasoning()));
        this.maxOutputTokens = c.maxOutputTokens();
    }

    /** Rates with their fallbacks: cache read and write at the input rate, 1-hour write at the write rate. */
    private static Rates rates(long input, long output, long cachedInput, long cacheWrite, long cacheWrite1h,
                               long reasoning) {
        long write = or(cacheWrite, input);
        return new Rates(input, output, or(cachedInput, input), write, or(cacheWrite1h, write), or(reasoning, output));
    }

    /** The name of the table row that priced the model. */
    public String model() {
        return model;
    }

    /** The model's output cap from the table, or -1. */
    public long maxOutputTokens() {
        return maxOutputTokens;
    }

    /**
     * What {@code usage} costs, in picodollars: each part of the input at its own rate (plain, cache read, 5-minute
     * and 1-hour cache write), output and reasoning at theirs, all at the long-context rates when the request's
     * input passed the threshold. Counts nest as {@link TokenUsage} says, so a cached or written token is counted
     * once, in its own part; an unknown count is 0.
     */
    public long cost(TokenUsage usage) {
        long input = Math.max(0, usage.input());
        long read = Math.max(0, usage.cachedInput());
        long write = Math.max(0, usage.cacheWrite());
        long hourWrite = Math.min(write, Math.max(0, usage.cacheWrite1h()));
        long plainInput = Math.max(0, input - read - write);
        long output = Math.max(0, usage.output());
        long reasoning = Math.min(output, Math.max(0, usage.reasoning()));
        Rates r = rates(input);
        return plainInput * r.input + read * r.cachedInput + (write - hourWrite) * r.cacheWrite
                + hourWrite * r.cacheWrite1h + (output - reasoning) * r.output + reasoning * r.reasoning;
    }

    /**
     * The most a request of {@code inputTokens} that may produce {@code outputTokens} can cost: every input token at
     * the dearest input rate, every output token at the dearest output rate, at the tier the input falls in.
     */
    public long worstCase(long inputTokens, long outputTokens) {
        Rates r = rates(inputTokens);
        return Usd.saturatingMultiplyAdd(outputTokens, r.worstOutput(),
                Usd.saturatingMultiplyAdd(inputTokens, r.worstInput(), 0));
    }

    private Rates rates(long inputTokens) {
        return tierThresholdTokens > 0 && inputTokens > tierThresholdTokens ? aboveTier : base;
    }

    private static long or(long rate, long fallback) {
        return rate >= 0 ? rate : fallback;
    }

    @Override
    public String toString() {
        return "ModelPrice[" + model + "]";
    }
}
