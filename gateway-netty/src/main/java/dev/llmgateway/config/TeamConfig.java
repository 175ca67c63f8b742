package dev.llmgateway.config;

import java.util.Objects;

/** A {@code [[teams]]} entry: a name the keys point at with {@code team}, and the budget all of them share. */
public record TeamConfig(String name, BudgetConfig budget) {
    public TeamConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(budget, "budget");
    }
}
