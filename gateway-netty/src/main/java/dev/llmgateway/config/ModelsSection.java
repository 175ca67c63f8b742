package dev.llmgateway.config;

import java.util.LinkedHashMap;
import java.util.Map;

/** Reads {@code [models."<alias>"]}; models of a disabled provider are left out with a warning. */
final class ModelsSection {
    private ModelsSection() {
    }

    static Map<String, ModelConfig> read(ConfigTable root, ProvidersSection.Result providers) {
        Map<String, ModelConfig> models = new LinkedHashMap<>();
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
                models.put(alias, new ModelConfig(alias, provider, apiModel, policy));
            }
        }
        return models;
    }
}
