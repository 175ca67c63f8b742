package dev.llmgateway.config;

/**
 * A gateway key's limits; 0 means unlimited.
 *
 * @param tokenBudget input+output tokens per {@code budgetPeriod} (a UTC calendar day or month)
 */
public record KeyLimits(long requestsPerMinute, long tokensPerMinute, int maxConcurrent, long tokenBudget,
                        BudgetPeriod budgetPeriod) {
    public static final KeyLimits NONE = new KeyLimits(0, 0, 0, 0, BudgetPeriod.DAY);

    /** Whether any limit is set (a key without one needs no counting shared with other replicas). */
    public boolean any() {
        return requestsPerMinute > 0 || tokensPerMinute > 0 || maxConcurrent > 0 || tokenBudget > 0;
    }

    public enum BudgetPeriod { DAY, MONTH }
}
