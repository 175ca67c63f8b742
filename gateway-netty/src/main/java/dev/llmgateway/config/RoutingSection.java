package dev.llmgateway.config;

import java.util.ArrayList;
import java.util.List;

/** Reads {@code [routing]}; references to disabled providers are dropped with a warning. */
final class RoutingSection {
    private static final String MATCH_EXPECTED = "a non-empty model glob such as \"gpt-*\"";

    private RoutingSection() {
    }

    static RoutingConfig read(ConfigTable t, ProvidersSection.Result providers) {
        String defaultProvider = t.string("default_provider", null, providers.expectedReference());
        if (!usable(t, "default_provider", defaultProvider, providers)) {
            if (defaultProvider != null && providers.disabled().contains(defaultProvider)) {
                t.problems().warn(t.keyLabel("default_provider") + ": ignored because provider "
                        + defaultProvider + " is disabled");
            }
            defaultProvider = null;
        }
        List<RouteRule> rules = new ArrayList<>();
        for (ConfigTable rule : t.tableArray("rules")) {
            String match = rule.requiredString("match", MATCH_EXPECTED);
            if (match != null && match.isEmpty()) {
                rule.problem("match", MATCH_EXPECTED);
            }
            String provider = rule.requiredString("provider", providers.expectedReference());
            rule.reportUnknownKeys();
            if (usable(rule, "provider", provider, providers)) {
                if (match != null && !match.isEmpty()) {
                    rules.add(new RouteRule(match, provider));
                }
            } else if (provider != null && providers.disabled().contains(provider)) {
                t.problems().warn(rule.label() + ": dropped because provider " + provider + " is disabled");
            }
        }
        t.reportUnknownKeys();
        return new RoutingConfig(defaultProvider, rules);
    }

    /** True if {@code name} is an enabled provider; reports names that are not configured at all. */
    private static boolean usable(ConfigTable t, String key, String name, ProvidersSection.Result providers) {
        if (name == null) {
            return false;
        }
        if (!providers.configured().contains(name)) {
            t.problem(key, providers.expectedReference());
            return false;
        }
        return !providers.disabled().contains(name);
    }
}
