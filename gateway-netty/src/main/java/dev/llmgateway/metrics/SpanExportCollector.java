package dev.llmgateway.metrics;

import io.prometheus.client.Collector;
import io.prometheus.client.CounterMetricFamily;

import java.util.List;
import java.util.function.LongSupplier;

/** Spans the trace exporter dropped (its queue full) or failed to deliver, read at scrape time; 0 with tracing off. */
final class SpanExportCollector extends Collector {
    private volatile LongSupplier dropped = () -> 0;
    private volatile LongSupplier failed = () -> 0;

    void sources(LongSupplier dropped, LongSupplier failed) {
        this.dropped = dropped;
        this.failed = failed;
    }

    @Override
    public List<MetricFamilySamples> collect() {
        return List.of(
                new CounterMetricFamily("llm_trace_spans_dropped",
                        "Finished spans dropped because the trace export queue was full.", dropped.getAsLong()),
                new CounterMetricFamily("llm_trace_spans_export_failed",
                        "Spans the trace exporter could not deliver to the collector.", failed.getAsLong()));
    }
}
