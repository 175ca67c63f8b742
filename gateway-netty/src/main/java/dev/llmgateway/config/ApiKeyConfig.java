package dev.llmgateway.config;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A client key of the gateway, the model globs it may use, its limits, and its own provider credentials
 * (provider name → key; a virtual key's traffic to those providers uses them instead of the provider's keys).
 *
 * @param budget the key's own USD budget, or null
 * @param team   the {@code [[teams]]} entry whose budget the key shares, or null
 */
public record ApiKeyConfig(String name, String key, List<String> models, KeyLimits limits,
                           Map<String, String> providerKeys, BudgetConfig budget, String team) {
    public ApiKeyConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(key, "key");
        models = List.copyOf(models);
        Objects.requireNonNull(limits, "limits");
        providerKeys = Map.copyOf(providerKeys);
    }

    /** A key without limits or provider credentials of its own. */
    public ApiKeyConfig(String name, String key, List<String> models) {
        this(name, key, models, KeyLimits.NONE, Map.of());
    }

    /** A key without a budget. */
    public ApiKeyConfig(String name, String key, List<String> models, KeyLimits limits,
                        Map<String, String> providerKeys) {
        this(name, key, models, limits, providerKeys, null, null);
    }

    /** Leaves the secrets out so that logging a config never leaks them. */
    @Override
    public String toString() {
        return "ApiKeyConfig[name=" + name + ", key=<redacted>, models=" + models + ", limits=" + limits
                + ", providerKeys=" + providerKeys.keySet() + ", budget=" + budget + ", team=" + team + "]";
    }
}
