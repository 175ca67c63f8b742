package dev.llmgateway.config;

import java.util.List;

/** Routes for models without a {@code [models]} entry: the first matching rule, else the default provider (nullable). */
public record RoutingConfig(String defaultProvider, List<RouteRule> rules) {
    public RoutingConfig {
        rules = List.copyOf(rules);
    }
}
