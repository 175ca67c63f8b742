package dev.llmgateway.server;

import dev.llmgateway.shared.SharedState;
import dev.llmgateway.upstream.Provider;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code GET /ready} answers: whether the gateway takes traffic (200, else 503) and each provider's circuit,
 * e.g. {@code {"status":"ready","providers":{"openai":"closed","local":"open"}}}, so an operator or a load balancer
 * sees which upstreams the gateway is currently avoiding; with {@code [shared]}, whether its Redis is reachable
 * ({@code "shared_state":"up"} or {@code "down"}). A Redis that is away does not make the gateway unready: every
 * replica shares it, so none would be ready, and {@code on_unavailable} says what requests get meanwhile.
 *
 * @param sharedState null without shared state
 */
public record Readiness(boolean ready, Map<String, Provider> providers, SharedState sharedState) {
    /** Without shared state. */
    public Readiness(boolean ready, Map<String, Provider> providers) {
        this(ready, providers, null);
    }

    byte[] body() {
        StringBuilder json = new StringBuilder(64).append("{\"status\":\"").append(ready ? "ready" : "not_ready")
                .append("\",\"providers\":{");
        long now = System.nanoTime();
        String separator = "";
        for (Provider provider : providers.values()) {
            // Provider names are [a-z0-9_-] (checked by the config) and states are fixed words: nothing to escape.
            json.append(separator).append('"').append(provider.name()).append("\":\"")
                    .append(provider.breaker().state(now).name().toLowerCase(Locale.ROOT)).append('"');
            separator = ",";
        }
        json.append('}');
        if (sharedState != null) {
            json.append(",\"shared_state\":\"").append(sharedState.up() ? "up" : "down").append('"');
        }
        return json.append('}').toString().getBytes(StandardCharsets.US_ASCII);
    }
}
