package dev.llmgateway.dialect;

/** Token counts of one exchange as the provider reported them; -1 while unknown. Event-loop confined. */
public final class TokenUsage {
    private long input = -1;
    private long output = -1;
    private long cachedInput = -1;

    public long input() {
        return input;
    }

    public long output() {
        return output;
    }

    public long cachedInput() {
        return cachedInput;
    }

    /** Later reports replace earlier ones: providers send cumulative totals, never deltas to add up. */
    public void report(long input, long output, long cachedInput) {
        if (input >= 0) {
            this.input = input;
        }
        if (output >= 0) {
            this.output = output;
        }
        if (cachedInput >= 0) {
            this.cachedInput = cachedInput;
        }
    }
}
