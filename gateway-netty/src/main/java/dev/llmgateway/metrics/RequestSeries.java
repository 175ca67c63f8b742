package dev.llmgateway.metrics;

import dev.llmgateway.accesslog.Outcome;
import io.prometheus.client.Counter;
import io.prometheus.client.Histogram;
import io.netty.util.concurrent.FastThreadLocal;

/**
 * The children (series) a finished request records into, found once per label combination and kept per thread:
 * simpleclient's {@code labels(...)} wraps the values in a fresh list and looks it up in a concurrent map, per
 * metric per request. Each thread keeps a direct-mapped table of {@link #SLOTS} combinations (api key, model,
 * provider, endpoint, stream); a combination that collides replaces the one in its slot, so the table stays bounded
 * however many keys and models there are, and a miss only costs the lookups it saves. A child is asked of its
 * metric the first time it is recorded into, exactly as before, so a scrape shows the same series with the same
 * values. Children are never removed from the gateway's metrics, so a kept one stays the metric's own.
 */
final class RequestSeries {
    /** Label combinations kept per thread (a power of two). */
    static final int SLOTS = 256;
    static final String[] TOKEN_TYPES = {"input", "output", "cached_input", "cache_write", "reasoning"};
    /** Statuses, and error types, kept per combination; one beyond them is looked up each time. */
    private static final int KEPT_PER_COMBINATION = 8;

    private final Counter requests;
    private final Counter tokens;
    private final Counter cost;
    private final Histogram duration;
    private final Counter errors;
    private final Histogram timeToFirstToken;
    private final Histogram overhead;
    private final Counter streamOutcomes;
    private final FastThreadLocal<Labels[]> tables = new FastThreadLocal<>() {
        @Override
        protected Labels[] initialValue() {
            return new Labels[SLOTS];
        }
    };

    RequestSeries(Counter requests, Counter tokens, Counter cost, Histogram duration, Counter errors,
                  Histogram timeToFirstToken, Histogram overhead, Counter streamOutcomes) {
        this.requests = requests;
        this.tokens = tokens;
        this.cost = cost;
        this.duration = duration;
        this.errors = errors;
        this.timeToFirstToken = timeToFirstToken;
        this.overhead = overhead;
        this.streamOutcomes = streamOutcomes;
    }

    /** This thread's series of one label combination (no label value null). */
    Labels of(String key, String model, String provider, String endpoint, boolean stream) {
        int hash = ((key.hashCode() * 31 + model.hashCode()) * 31 + provider.hashCode()) * 31 + endpoint.hashCode();
        hash = hash * 2 + (stream ? 1 : 0);
        hash ^= hash >>> 16;
        Labels[] table = tables.get();
        int slot = hash & (SLOTS - 1);
        Labels labels = table[slot];
        if (labels == null || !labels.are(key, model, provider, endpoint, stream)) {
            labels = new Labels(key, model, provider, endpoint, stream);
            table[slot] = labels;
        }
        return labels;
    }

    /** One label combination's children, each made when first recorded into; confined to its thread. */
    final class Labels {
        private final String key;
        private final String model;
        private final String provider;
        private final String endpoint;
        private final boolean stream;
        private final String streamLabel;
        private final ByLastLabel requestsByStatus = new ByLastLabel();
        private final ByLastLabel errorsByType = new ByLastLabel();
        private final Counter.Child[] tokensByType = new Counter.Child[TOKEN_TYPES.length];
        private final Counter.Child[] streamsByOutcome = new Counter.Child[Outcome.values().length];
        private Counter.Child cost;
        private Histogram.Child duration;
        private Histogram.Child timeToFirstToken;
        private Histogram.Child overhead;

        private Labels(String key, String model, String provider, String endpoint, boolean stream) {
            this.key = key;
            this.model = model;
            this.provider = provider;
            this.endpoint = endpoint;
            this.stream = stream;
            this.streamLabel = stream ? "true" : "false";
        }

        private boolean are(String key, String model, String provider, String endpoint, boolean stream) {
            return this.stream == stream && this.key.equals(key) && this.model.equals(model)
                    && this.provider.equals(provider) && this.endpoint.equals(endpoint);
        }

        Counter.Child requests(String status) {
            return requestsByStatus.child(requests, key, model, provider, endpoint, status);
        }

        Counter.Child errors(String errorType) {
            return errorsByType.child(errors, key, model, provider, endpoint, errorType);
        }

        /** @param type an index into {@link #TOKEN_TYPES} */
        Counter.Child tokens(int type) {
            Counter.Child child = tokensByType[type];
            if (child == null) {
                child = tokens.labels(key, model, provider, TOKEN_TYPES[type]);
                tokensByType[type] = child;
            }
            return child;
        }

        Counter.Child cost() {
            if (cost == null) {
                cost = RequestSeries.this.cost.labels(key, model, provider);
            }
            return cost;
        }

        Histogram.Child duration() {
            if (duration == null) {
                duration = RequestSeries.this.duration.labels(model, provider, endpoint, streamLabel);
            }
            return duration;
        }

        Histogram.Child timeToFirstToken() {
            if (timeToFirstToken == null) {
                timeToFirstToken = RequestSeries.this.timeToFirstToken.labels(model, provider);
            }
            return timeToFirstToken;
        }

        Histogram.Child overhead() {
            if (overhead == null) {
                overhead = RequestSeries.this.overhead.labels(endpoint, streamLabel);
            }
            return overhead;
        }

        Counter.Child streamOutcome(Outcome outcome) {
            Counter.Child child = streamsByOutcome[outcome.ordinal()];
            if (child == null) {
                child = streamOutcomes.labels(model, provider, outcome.label());
                streamsByOutcome[outcome.ordinal()] = child;
            }
            return child;
        }
    }

    /** A counter's children under one combination that differ in their last label (a status, an error type). */
    private static final class ByLastLabel {
        private final String[] values = new String[KEPT_PER_COMBINATION];
        private final Counter.Child[] children = new Counter.Child[KEPT_PER_COMBINATION];

        Counter.Child child(Counter metric, String key, String model, String provider, String endpoint, String last) {
            for (int i = 0; i < values.length; i++) {
                if (values[i] == null) {
                    values[i] = last;
                    children[i] = metric.labels(key, model, provider, endpoint, last);
                    return children[i];
                }
                if (values[i].equals(last)) {
                    return children[i];
                }
            }
            return metric.labels(key, model, provider, endpoint, last);
        }
    }
}
