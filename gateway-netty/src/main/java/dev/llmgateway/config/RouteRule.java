package dev.llmgateway.config;

import java.util.Objects;

/** Sends models matching the glob {@code match} ('*' matches any run of characters) to {@code provider}. */
public record RouteRule(String match, String provider) {
    public RouteRule {
        Objects.requireNonNull(match, "match");
        Objects.requireNonNull(provider, "provider");
    }
}
