package dev.llmgateway.server;

import dev.llmgateway.upstream.Provider;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code GET /ready} answers: whether the gateway takes traffic (200, else 503) and each provider's circuit,
 * e.g. {@code {"status":"ready","providers":{"openai":"closed","local":"open"}}}, so an operator or a load balancer
 * sees which upstreams the gateway is currently avoiding.
 */
public record Readiness(boolean ready, Map<String, Provider> providers) {
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
        return json.append("}}").toString().getBytes(StandardCharsets.US_ASCII);
    }
}
