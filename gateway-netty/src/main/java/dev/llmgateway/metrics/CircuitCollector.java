package dev.llmgateway.metrics;

import io.prometheus.client.Collector;
import io.prometheus.client.GaugeMetricFamily;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** Each provider's circuit (0 closed, 1 half-open, 2 open), read from the breakers at scrape time. */
final class CircuitCollector extends Collector {
    private volatile Supplier<Map<String, Integer>> source = Map::of;

    void source(Supplier<Map<String, Integer>> source) {
        this.source = source;
    }

    @Override
    public List<MetricFamilySamples> collect() {
        GaugeMetricFamily state = new GaugeMetricFamily("llm_upstream_circuit_state",
                "Each provider's circuit breaker: 0 closed, 1 half-open, 2 open.", List.of("provider"));
        source.get().forEach((provider, value) -> state.addMetric(List.of(provider), value));
        return List.of(state);
    }
}
