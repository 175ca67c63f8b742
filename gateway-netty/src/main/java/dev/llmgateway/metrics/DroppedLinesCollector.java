package dev.llmgateway.metrics;

import io.prometheus.client.Collector;
import io.prometheus.client.CounterMetricFamily;

import java.util.List;
import java.util.function.LongSupplier;

/** Lines the access log and the body capture dropped because their queue was full, read at scrape time. */
final class DroppedLinesCollector extends Collector {
    private volatile LongSupplier accessLog = () -> 0;
    private volatile LongSupplier capture = () -> 0;

    void sources(LongSupplier accessLog, LongSupplier capture) {
        this.accessLog = accessLog;
        this.capture = capture;
    }

    @Override
    public List<MetricFamilySamples> collect() {
        CounterMetricFamily dropped = new CounterMetricFamily("llm_log_dropped_lines",
                "Lines dropped because a log writer's bounded queue was full.", List.of("log"));
        dropped.addMetric(List.of("access_log"), accessLog.getAsLong());
        dropped.addMetric(List.of("capture"), capture.getAsLong());
        return List.of(dropped);
    }
}
