package dev.llmgateway.metrics;

import io.prometheus.client.Collector;
import io.prometheus.client.GaugeMetricFamily;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Upstream pool gauges, read from the pools at scrape time rather than updated on every acquire and release: the
 * pools stay free of metric calls, and the values are as fresh as the scrape.
 */
final class PoolCollector extends Collector {
    private volatile Supplier<Map<String, GatewayMetrics.PoolStats>> source = Map::of;

    void source(Supplier<Map<String, GatewayMetrics.PoolStats>> source) {
        this.source = source;
    }

    @Override
    public List<MetricFamilySamples> collect() {
        GaugeMetricFamily connections = new GaugeMetricFamily("llm_upstream_connections",
                "Upstream connections per provider: open (all) and idle (in a pool, unused).",
                List.of("provider", "state"));
        GaugeMetricFamily pending = new GaugeMetricFamily("llm_upstream_pending_acquires",
                "Requests waiting for an upstream connection.", List.of("provider"));
        source.get().forEach((provider, stats) -> {
            connections.addMetric(List.of(provider, "open"), stats.open());
            connections.addMetric(List.of(provider, "idle"), stats.idle());
            pending.addMetric(List.of(provider), stats.pendingAcquires());
        });
        return List.of(connections, pending);
    }
}
