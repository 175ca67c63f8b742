package dev.llmgateway.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads {@code [models."<alias>"]}; models of a disabled provider are left out with a warning. Fallbacks are checked
 * once every alias is read: each must name another enabled alias.
 */
final class ModelsSection {
    private static final String FALLBACKS_EXPECTED = "a list of other enabled model aliases";

    private ModelsSection() {
    }

    static Map<String, ModelConfig> read(ConfigTable root, ProvidersSection.Result providers) {
        Map<String, ModelConfig> models = new LinkedHashMap<>();
        Map<String, ConfigTable> tables = new LinkedHashMap<>();
        for (Map.Entry<String, ConfigTable> entry : root.namedTables("models", true).entrySet()) {
            String alias = entry.getKey();
            ConfigTable t = entry.getValue();
            if (alias.isEmpty()) {
                t.problems().add(t.label() + ": empty alias (expected: a non-empty model alias)");
            }
            String provider = t.requiredString("provider", providers.expectedReference());
            String apiModel = t.string("api_model", alias, "a non-empty model name");
            if (apiModel != null && apiModel.isEmpty() && t.has("api_model")) {
                t.problem("api_model", "a non-empty model name");
            }
            ProviderConfig served = provider == null ? null : providers.enabled().get(provider);
            List<String> fallbacks = t.stringList("fallbacks", List.of(), FALLBACKS_EXPECTED);
            UpstreamPolicy policy = UpstreamPolicy.read(t, served == null ? UpstreamPolicy.DEFAULT : served.policy());
            t.reportUnknownKeys();
            if (provider == null || apiModel == null) {
                continue;
            }
            if (!providers.configured().contains(provider)) {
                t.problem("provider", providers.expectedReference());
            } else if (providers.disabled().contains(provider)) {
                t.problems().warn(t.label() + ": disabled because provider " + provider + " is disabled");
            } else {
                models.put(alias, new ModelConfig(alias, provider, apiModel, policy, fallbacks));
                tables.put(alias, t);
            }
        }
        for (ModelConfig model : models.values()) {
            for (String fallback : model.fallbacks()) {
                if (fallback.equals(model.alias()) || !models.containsKey(fallback)) {
                    tables.get(model.alias()).problem("fallbacks", FALLBACKS_EXPECTED
                            + (fallback.equals(model.alias()) ? " (not itself)" : "; '" + fallback + "' is not one"));
                }
            }
        }
        return models;
    }
}
