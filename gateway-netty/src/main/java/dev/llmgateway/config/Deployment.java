package dev.llmgateway.config;

import java.util.Objects;

/**
 * One place a model alias is served: a provider, the model name it is sent, its share of the traffic, and the
 * policy that applies when it serves (its own provider's, with the alias's overrides).
 */
public record Deployment(String provider, String apiModel, int weight, UpstreamPolicy policy) {
    public Deployment {
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(apiModel, "apiModel");
        Objects.requireNonNull(policy, "policy");
    }
}
