package dev.llmgateway.config;

import java.util.Objects;

/** One place a model alias is served: a provider, the model name it is sent, and its share of the traffic. */
public record Deployment(String provider, String apiModel, int weight) {
    public Deployment {
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(apiModel, "apiModel");
    }
}
