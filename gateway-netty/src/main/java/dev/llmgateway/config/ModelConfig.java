package dev.llmgateway.config;

import java.util.Objects;

/**
 * A model alias clients ask for, the provider serving it and the model name sent upstream; {@code policy} is the
 * provider's with this model's overrides applied.
 */
public record ModelConfig(String alias, String provider, String apiModel, UpstreamPolicy policy) {
    public ModelConfig {
        Objects.requireNonNull(alias, "alias");
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(apiModel, "apiModel");
        Objects.requireNonNull(policy, "policy");
    }
}
