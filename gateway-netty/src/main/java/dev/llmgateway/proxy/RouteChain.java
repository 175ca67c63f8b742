package dev.llmgateway.proxy;

import dev.llmgateway.metrics.GatewayMetrics;
import dev.llmgateway.exchange.Route;
import dev.llmgateway.upstream.Provider;

import java.util.ArrayList;
import java.util.List;

/**
 * The routes one exchange may use, in order: the route the client's model resolved to, then its fallbacks, each
 * serving for the client's model (its provider, api model and policy; the client's model name in every answer).
 * When the provider in use has its circuit open (refused, or opened by this exchange's own failure), another
 * deployment of the same alias whose circuit is closed comes first, before the fallbacks. Runs on the exchange's
 * event loop.
 */
final class RouteChain {
    private final Route asked;
    private final List<Route> fallbacks;
    private final GatewayMetrics metrics;
    /** The alias route in use (the asked one or a fallback): its other deployments are the next to try. */
    private Route currentAlias;
    /** The route serving now: one deployment of {@link #currentAlias}. */
    private Route current;
    /**
     * Providers of {@link #currentAlias} already left, never gone back to (a circuit may close again meanwhile); made
     * at the first move between deployments, which most exchanges never make.
     */
    private List<Provider> left;
    private int nextFallback;

    RouteChain(Route asked, GatewayMetrics metrics) {
        this.asked = asked;
        this.metrics = metrics;
        this.fallbacks = asked.fallbacks();
    }

    /** The alias route in use: the one asked for, or the fallback serving now. */
    Route alias() {
        return currentAlias;
    }

    /** Whether {@link #next} has a route now: a fallback, or another deployment while the current circuit is open. */
    boolean hasNext() {
        return current == null || nextFallback < fallbacks.size() || otherDeployment() != null;
    }

    /** The next route to try (a move to a fallback is counted); null when the chain is used up. */
    Route next() {
        if (current == null) {
            currentAlias = asked;
            return current = asked.deployment(System.nanoTime());
        }
        Route other = otherDeployment();
        if (other != null) {
            if (left == null) {
                left = new ArrayList<>(2);
            }
            left.add(current.provider());
            return current = currentAlias == asked ? other : other.servingFor(asked);
        }
        if (nextFallback >= fallbacks.size()) {
            return null;
        }
        Route fallback = fallbacks.get(nextFallback++);
        metrics.fallback(currentAlias.metricsModel(), fallback.metricsModel());
        currentAlias = fallback;
        left = null;
        return current = fallback.deployment(System.nanoTime()).servingFor(asked);
    }

    /** Another deployment of the current alias when the current provider's circuit would refuse a request. */
    private Route otherDeployment() {
        if (current == null || currentAlias.balancer() == null) {
            return null;
        }
        long nowNanos = System.nanoTime();
        if (current.provider().breaker().available(nowNanos)) {
            return null;
        }
        List<Provider> skipped = left == null ? new ArrayList<>(1) : new ArrayList<>(left);
        skipped.add(current.provider());
        return currentAlias.balancer().pickAvailable(nowNanos, skipped);
    }
}
