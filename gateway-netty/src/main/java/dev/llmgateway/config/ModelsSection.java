package dev.llmgateway.config;

import java.util.ArrayList;
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
            List<Deployment> deployments = new ArrayList<>();
            if (t.has("deployments")) {
                t.forbid("provider", "either provider (with api_model) or deployments, not both");
                t.forbid("api_model", "either provider (with api_model) or deployments, not both");
                for (ConfigTable d : t.tableArray("deployments")) {
                    Deployment deployment = readDeployment(d, alias, providers, true);
                    if (deployment != null) {
                        deployments.add(deployment);
                    }
                }
            } else {
                Deployment only = readDeployment(t, alias, providers, false);
                if (only != null) {
                    deployments.add(only);
                }
            }
            List<String> fallbacks = t.stringList("fallbacks", List.of(), FALLBACKS_EXPECTED);
            UpstreamPolicy policy = UpstreamPolicy.read(t,
                    deployments.isEmpty() ? UpstreamPolicy.DEFAULT : deployments.get(0).policy());
            t.reportUnknownKeys();
            if (!deployments.isEmpty()) {
                Deployment first = deployments.get(0);
                models.put(alias, new ModelConfig(alias, first.provider(), first.apiModel(), policy, fallbacks,
                        deployments.stream().map(d -> new Deployment(d.provider(), d.apiModel(), d.weight(),
                                policy.over(d.policy(), t))).toList()));
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

    /**
     * A deployment of an enabled provider, with that provider's policy; null after a problem, or with a warning when
     * its provider is disabled (a model left with none is disabled too).
     */
    private static Deployment readDeployment(ConfigTable t, String alias, ProvidersSection.Result providers,
                                             boolean weighted) {
        String provider = t.requiredString("provider", providers.expectedReference());
        String apiModel = t.string("api_model", alias, "a non-empty model name");
        if (apiModel != null && apiModel.isEmpty() && t.has("api_model")) {
            t.problem("api_model", "a non-empty model name");
        }
        int weight = weighted ? (int) t.integer("weight", 1, 1, 1000, "an integer from 1 to 1000") : 1;
        if (weighted) {
            t.reportUnknownKeys();
        }
        if (provider == null || apiModel == null) {
            return null;
        }
        if (!providers.configured().contains(provider)) {
            t.problem("provider", providers.expectedReference());
            return null;
        }
        if (providers.disabled().contains(provider)) {
            t.problems().warn(t.label() + ": disabled because provider " + provider + " is disabled");
            return null;
        }
        ProviderConfig served = providers.enabled().get(provider); // null for a provider with a problem of its own
        return new Deployment(provider, apiModel, weight, served == null ? UpstreamPolicy.DEFAULT : served.policy());
    }
}
