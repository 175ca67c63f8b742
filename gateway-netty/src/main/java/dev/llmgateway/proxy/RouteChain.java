package dev.llmgateway.proxy;

import dev.llmgateway.metrics.GatewayMetrics;
import dev.llmgateway.exchange.Route;

import java.util.List;

/**
 * The routes one exchange may use, in order: the route the client's model resolved to, then its fallbacks, each
 * serving for the client's model (its provider, api model and policy; the client's model name in every answer).
 * Runs on the exchange's event loop.
 */
final class RouteChain {
    private final Route asked;
    private final List<Route> fallbacks;
    private final GatewayMetrics metrics;
    /** The alias of the route in use: {@code llm_fallbacks_total} counts moves from it. */
    private String currentAlias;
    private int nextFallback;
    private boolean started;

    RouteChain(Route asked, GatewayMetrics metrics) {
        this.asked = asked;
        this.metrics = metrics;
        this.fallbacks = asked.fallbacks();
        this.currentAlias = asked.metricsModel();
    }

    boolean hasNext() {
        return !started || nextFallback < fallbacks.size();
    }

    /** The next route to try (a move to a fallback is counted); null when the chain is used up. */
    Route next() {
        if (!started) {
            started = true;
            return asked.deployment(System.nanoTime());
        }
        if (nextFallback >= fallbacks.size()) {
            return null;
        }
        Route fallback = fallbacks.get(nextFallback++);
        metrics.fallback(currentAlias, fallback.metricsModel());
        currentAlias = fallback.metricsModel();
        return fallback.deployment(System.nanoTime()).servingFor(asked);
    }
}
