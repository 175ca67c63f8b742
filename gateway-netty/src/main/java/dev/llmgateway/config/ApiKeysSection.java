package dev.llmgateway.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** Reads the {@code [[api_keys]]} entries: the gateway's own client keys and their policies. */
final class ApiKeysSection {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private static final String NAME_EXPECTED = "a name of 1 to 64 characters A-Z, a-z, 0-9, _, . or -";
    private static final String MODELS_EXPECTED = "a non-empty list of model globs such as [\"*\"] or [\"gpt-*\"]";
    /** A gateway key short enough to guess, or one a header cannot carry intact, is a configuration error. */
    static final int MIN_KEY_LENGTH = 16;
    private static final String KEY_EXPECTED = "a secret of at least " + MIN_KEY_LENGTH
            + " printable ASCII characters, without spaces";
    /** The budget's used tokens share a long with the period number (see KeyLimiter), hence 2^43. */
    private static final long MAX_BUDGET = 1L << 43;

    /**
     * The enabled keys, and where {@code provider_keys} names a provider: providers are read after the keys (the
     * order problems are listed in), so those names are checked against them afterwards.
     */
    record Result(List<ApiKeyConfig> keys, List<ProviderReference> providerReferences) {
        void checkProviders(ProvidersSection.Result providers, Problems problems) {
            for (ProviderReference reference : providerReferences) {
                if (!providers.configured().contains(reference.provider())) {
                    // Not ConfigTable.problem: that would show the value, a secret.
                    problems.add(reference.label() + ": unknown provider (expected: "
                            + providers.expectedReference() + ")");
                }
            }
        }
    }

    record ProviderReference(String label, String provider) {
    }

    private ApiKeysSection() {
    }

    /** The enabled keys (at least one must exist). */
    static Result read(ConfigTable root) {
        Problems problems = root.problems();
        List<ApiKeyConfig> keys = new ArrayList<>();
        Map<String, String> nameOwners = new HashMap<>();
        Map<String, String> secretOwners = new HashMap<>();
        List<ProviderReference> references = new ArrayList<>();
        List<String> unsetVariables = new ArrayList<>();
        int enabled = 0;
        for (ConfigTable t : root.tableArray("api_keys")) {
            String name = t.requiredString("name", NAME_EXPECTED);
            if (name != null && !NAME.matcher(name).matches()) {
                t.problem("name", NAME_EXPECTED);
                name = null;
            }
            ConfigTable.Secret key = t.secret("key");
            if (key == null && !t.has("key")) {
                t.problem("key", "a non-empty string, unique among keys");
            } else if (key != null && key.value() != null && !isStrong(key.value())) {
                // Says what is wrong without showing the secret.
                problems.add(t.keyLabel("key") + ": " + (key.value().length() < MIN_KEY_LENGTH
                        ? key.value().length() + " characters" : "a space or a control character")
                        + " (expected: " + KEY_EXPECTED + ")");
            }
            List<String> models = t.stringList("models", List.of("*"), MODELS_EXPECTED);
            boolean wanted = t.bool("enabled", true);
            Limits limits = limits(t);
            BudgetConfig budget = BudgetsSection.budget(t, limits.period());
            String team = t.string("team", null, "the name of a [[teams]] entry");
            Map<String, ConfigTable.Secret> providerKeys = providerKeys(t.tableOrEmpty("provider_keys"), references);
            t.reportUnknownKeys();

            if (name != null && nameOwners.putIfAbsent(name, t.label()) != null) {
                t.problem("name", "a unique name; " + nameOwners.get(name) + " has it too");
            }
            if (key != null && key.value() != null && secretOwners.putIfAbsent(key.value(), t.label()) != null) {
                problems.add(t.keyLabel("key") + ": duplicates the key of " + secretOwners.get(key.value())
                        + " (expected: a unique key)");
            }
            if (!wanted) {
                continue;
            }
            String unset = key != null && key.unsetVariable() != null ? key.unsetVariable()
                    : providerKeys.values().stream().map(ConfigTable.Secret::unsetVariable)
                    .filter(v -> v != null).findFirst().orElse(null);
            if (unset != null) {
                String named = name == null ? "" : " (" + name + ")";
                problems.warn(t.label() + named + ": disabled because " + unset + " is not set");
                unsetVariables.add(unset);
                continue;
            }
            enabled++;
            if (name != null && key != null) {
                Map<String, String> credentials = new LinkedHashMap<>();
                providerKeys.forEach((provider, secret) -> credentials.put(provider, secret.value()));
                keys.add(new ApiKeyConfig(name, key.value(), models, limits.key(), credentials, budget, team));
            }
        }
        if (enabled == 0) {
            // Warnings are not shown when loading fails, so the variables that would enable a key are named here.
            problems.add("api_keys: no enabled key (expected: at least one [[api_keys]] entry"
                    + (unsetVariables.isEmpty() ? "" : "; not set: " + String.join(", ", unsetVariables)) + ")");
        }
        return new Result(keys, references);
    }

    private static boolean isStrong(String key) {
        if (key.length() < MIN_KEY_LENGTH) {
            return false;
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c <= ' ' || c > '~') {
                return false;
            }
        }
        return true;
    }

    /** A key's limits and its {@code budget_period}, which the token budget shares with the USD budget. */
    private record Limits(KeyLimits key, BudgetConfig.Period period) {
    }

    private static Limits limits(ConfigTable t) {
        String count = "a whole number, 0 (unlimited) or more";
        long requestsPerMinute = t.integer("requests_per_minute", 0, 0, Integer.MAX_VALUE, count);
        long tokensPerMinute = t.integer("tokens_per_minute", 0, 0, Integer.MAX_VALUE, count);
        int maxConcurrent = (int) t.integer("max_concurrent", 0, 0, Integer.MAX_VALUE, count);
        long tokenBudget = t.integer("token_budget", 0, 0, MAX_BUDGET,
                "a whole number from 0 (none) to " + MAX_BUDGET);
        BudgetConfig.Period period = BudgetsSection.period(t);
        if (tokenBudget > 0 && period.kind() == BudgetConfig.Period.Kind.ROLLING) {
            t.problem("budget_period", "\"day\" or \"month\" with token_budget (a token budget counts per"
                    + " calendar day or month; a rolling window is for budget_usd alone)");
        }
        return new Limits(new KeyLimits(requestsPerMinute, tokensPerMinute, maxConcurrent, tokenBudget,
                period.kind() == BudgetConfig.Period.Kind.MONTH ? KeyLimits.BudgetPeriod.MONTH
                        : KeyLimits.BudgetPeriod.DAY), period);
    }

    /** provider name → this key's own credential; the names are recorded for checking. */
    private static Map<String, ConfigTable.Secret> providerKeys(ConfigTable t, List<ProviderReference> references) {
        Map<String, ConfigTable.Secret> secrets = new LinkedHashMap<>();
        for (String provider : t.keys()) {
            references.add(new ProviderReference(t.keyLabel(provider), provider));
            ConfigTable.Secret secret = t.secret(provider);
            if (secret != null) {
                secrets.put(provider, secret);
            }
        }
        t.reportUnknownKeys();
        return secrets;
    }
}
