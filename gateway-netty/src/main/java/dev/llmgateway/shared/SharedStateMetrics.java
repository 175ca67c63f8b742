package dev.llmgateway.shared;

import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Counter;
import io.prometheus.client.Gauge;
import io.prometheus.client.Histogram;

import java.util.function.BooleanSupplier;

/**
 * The shared state's metrics, registered only when {@code [shared]} is configured: whether Redis is reachable, how
 * long its answers take, and the requests and updates that had to do without it. Recording runs on event loops and
 * touches only simpleclient's lock-free children.
 */
final class SharedStateMetrics {
    /** Why a request was decided without the shared state. */
    enum Fallback {
        /** Redis was already known to be away: not asked. */
        UNREACHABLE,
        /** Asked, no answer within {@code timeout}. */
        TIMEOUT,
        /** The connection failed or Redis answered an error. */
        ERROR;

        final String label = name().toLowerCase(java.util.Locale.ROOT);
    }

    private final Histogram roundTrip;
    private final Counter.Child[] fallbacks = new Counter.Child[Fallback.values().length];
    private final Counter dropped;

    SharedStateMetrics(CollectorRegistry registry, BooleanSupplier up) {
        Gauge.build("llm_shared_state_up", "Whether every event loop's connection to the shared-state Redis is up "
                        + "(1) or key limits are decided without it (0).").create()
                .setChild(new Gauge.Child() {
                    @Override
                    public double get() {
                        return up.getAsBoolean() ? 1 : 0;
                    }
                }).register(registry);
        roundTrip = Histogram.build("llm_shared_state_round_trip_seconds",
                        "Time from sending a request's admission to Redis to its answer.")
                .buckets(0.00005, 0.0001, 0.0002, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1)
                .withoutExemplars().register(registry);
        Counter fallbackCounter = Counter.build("llm_shared_state_fallbacks_total",
                        "Requests of keys with limits or USD budgets decided without the shared state "
                                + "(by [shared] on_unavailable).")
                .labelNames("reason").withoutExemplars().register(registry);
        for (Fallback reason : Fallback.values()) {
            fallbacks[reason.ordinal()] = fallbackCounter.labels(reason.label);
        }
        dropped = Counter.build("llm_shared_state_updates_dropped_total",
                        "Slot releases, token charges and budget settlements not applied: held while Redis was away beyond the backlog, "
                                + "or failed after being sent.")
                .withoutExemplars().register(registry);
    }

    void roundTrip(long nanos) {
        roundTrip.observe(nanos / 1e9);
    }

    void fallback(Fallback reason) {
        fallbacks[reason.ordinal()].inc();
    }

    void updateDropped() {
        dropped.inc();
    }
}
