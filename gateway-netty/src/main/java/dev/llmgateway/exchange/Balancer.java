package dev.llmgateway.exchange;

import dev.llmgateway.upstream.Provider;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Picks one of an alias's deployments at random by weight, among those whose provider's circuit would take a
 * request now; when none would, the first, whose refusal then moves the exchange on to a fallback. Random rather
 * than round-robin so that event loops share nothing but the circuits: no lock, no contended counter.
 */
public final class Balancer {
    private final List<Route> routes;
    private final int[] weights;

    public Balancer(List<Route> routes, int[] weights) {
        this.routes = List.copyOf(routes);
        this.weights = weights.clone();
    }

    /** Every deployment, in config order. */
    public List<Route> routes() {
        return routes;
    }

    public Route pick(long nowNanos) {
        Route picked = pickAvailable(nowNanos, List.of());
        return picked != null ? picked : routes.get(0);
    }

    /**
     * A deployment by weight among those whose circuit would take a request and whose provider is not in
     * {@code skipped} (the ones an exchange already left); null when there is none.
     */
    public Route pickAvailable(long nowNanos, Collection<Provider> skipped) {
        int size = routes.size();
        boolean[] usable = new boolean[size];
        int total = 0;
        for (int i = 0; i < size; i++) {
            Provider provider = routes.get(i).provider();
            usable[i] = !skipped.contains(provider) && provider.breaker().available(nowNanos);
            total += usable[i] ? weights[i] : 0;
        }
        if (total == 0) {
            return null;
        }
        int ticket = ThreadLocalRandom.current().nextInt(total);
        for (int i = 0; i < size; i++) {
            if (usable[i]) {
                ticket -= weights[i];
                if (ticket < 0) {
                    return routes.get(i);
                }
            }
        }
        throw new IllegalStateException("unreachable: the ticket is below the usable total");
    }
}
