package dev.llmgateway.config;

import java.util.List;
import java.util.Objects;

/**
 * A model alias clients ask for, the provider serving it and the model name sent upstream; {@code policy} is the
 * provider's with this model's overrides applied; {@code fallbacks} are the aliases tried in order when this one's
 * attempts are used up.
 */
public record ModelConfig(String alias, String provider, String apiModel, UpstreamPolicy policy,
                          List<String> fallbacks) {
    public ModelConfig(String alias, String provider, String apiModel, UpstreamPolicy policy) {
        this(alias, provider, apiModel, policy, List.of());
    }

    public ModelConfig {
        fallbacks = List.copyOf(fallbacks);
        Objects.requireNonNull(alias, "alias");
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(apiModel, "apiModel");
        Objects.requireNonNull(policy, "policy");
    }
}
