package dev.llmgateway.config;

import java.util.List;
import java.util.Objects;

/**
 * A model alias clients ask for, the provider serving it and the model name sent upstream; {@code policy} is the
 * provider's with this model's overrides applied; {@code fallbacks} are the aliases tried in order when this one's
 * attempts are used up. {@code deployments} are where the alias is served, weighted (one for a plain
 * {@code provider}/{@code api_model}); {@code provider} and {@code apiModel} are the first one's.
 */
public record ModelConfig(String alias, String provider, String apiModel, UpstreamPolicy policy,
                          List<String> fallbacks, List<Deployment> deployments) {
    public ModelConfig(String alias, String provider, String apiModel, UpstreamPolicy policy) {
        this(alias, provider, apiModel, policy, List.of(), List.of(new Deployment(provider, apiModel, 1, policy)));
    }

    public ModelConfig {
        fallbacks = List.copyOf(fallbacks);
        deployments = List.copyOf(deployments);
        Objects.requireNonNull(alias, "alias");
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(apiModel, "apiModel");
        Objects.requireNonNull(policy, "policy");
    }
}
