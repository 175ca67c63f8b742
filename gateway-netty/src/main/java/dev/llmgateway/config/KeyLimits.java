package dev.llmgateway.config;

/**
 * A gateway key's limits; 0 means unlimited.
 *
 * @param tokenBudget input+output tokens per {@code budgetPeriod} (a UTC calendar day or month)
 */
public record KeyLimits(long requestsPerMinute, long tokensPerMinute, int maxConcurrent, long tokenBudget,
                        BudgetPeriod budgetPeriod) {
    public static final KeyLimits NONE = new KeyLimits(0, 0, 0, 0, BudgetPeriod.DAY);

    public enum BudgetPeriod { DAY, MONTH }
}
