package dev.llmgateway.dialect;

/**
 * Token counts of one exchange as the provider reported them; -1 while unknown. The counts nest as
 * {@link AnswerEvents#usage} defines them: {@code input} is every input token, cache reads and writes included;
 * {@code cacheWrite} is every cache write, the 1-hour ones ({@code cacheWrite1h}) included; {@code output} includes
 * {@code reasoning}. Pricing needs each part apart (a cache read, a 5-minute and a 1-hour write and a plain input
 * token cost four different rates), so none is folded into another on the way. Event-loop confined.
 */
public final class TokenUsage {
    private long input = -1;
    private long cachedInput = -1;
    private long cacheWrite = -1;
    private long cacheWrite1h = -1;
    private long output = -1;
    private long reasoning = -1;

    public long input() {
        return input;
    }

    public long output() {
        return output;
    }

    /** Input tokens read from the provider's cache. */
    public long cachedInput() {
        return cachedInput;
    }

    /** Input tokens written to the provider's cache, whatever their lifetime. */
    public long cacheWrite() {
        return cacheWrite;
    }

    /** The part of {@link #cacheWrite} written for an hour (Anthropic bills it higher than a 5-minute write). */
    public long cacheWrite1h() {
        return cacheWrite1h;
    }

    /** The part of {@link #output} spent on reasoning. */
    public long reasoning() {
        return reasoning;
    }

    /** Whether the provider reported any count. */
    public boolean reported() {
        return input >= 0 || output >= 0;
    }

    /**
     * Later reports replace earlier ones count by count: providers send cumulative totals, never deltas to add up.
     * A count of -1 keeps what was known.
     */
    public void report(long input, long cachedInput, long cacheWrite, long cacheWrite1h, long output,
                       long reasoning) {
        this.input = input >= 0 ? input : this.input;
        this.cachedInput = cachedInput >= 0 ? cachedInput : this.cachedInput;
        this.cacheWrite = cacheWrite >= 0 ? cacheWrite : this.cacheWrite;
        this.cacheWrite1h = cacheWrite1h >= 0 ? cacheWrite1h : this.cacheWrite1h;
        this.output = output >= 0 ? output : this.output;
        this.reasoning = reasoning >= 0 ? reasoning : this.reasoning;
    }
}
