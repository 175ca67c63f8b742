package dev.llmgateway.metrics;

import io.prometheus.client.Collector;
import io.prometheus.client.CounterMetricFamily;

import java.util.List;
import java.util.function.LongSupplier;

/**
 * Lines the access log and the body capture dropped because their queue was full, and the access-log lines of
 * requests refused at the edge dropped over their rate, read at scrape time.
 */
final class DroppedLinesCollector extends Collector {
    private volatile LongSupplier accessLog = () -> 0;
    private volatile LongSupplier capture = () -> 0;
    private volatile LongSupplier refusals = () -> 0;

    void sources(LongSupplier accessLog, LongSupplier capture) {
        this.accessLog = accessLog;
        this.capture = capture;
    }

    void refusals(LongSupplier refusals) {
        this.refusals = refusals;
    }

    @Override
    public List<MetricFamilySamples> collect() {
        CounterMetricFamily dropped = new CounterMetricFamily("llm_log_dropped_lines",
                "Lines dropped because a log writer's bounded queue was full (access_log_refusals: refused"
                        + " requests' lines over their rate).", List.of("log"));
        dropped.addMetric(List.of("access_log"), accessLog.getAsLong());
        dropped.addMetric(List.of("capture"), capture.getAsLong());
        dropped.addMetric(List.of("access_log_refusals"), refusals.getAsLong());
        return List.of(dropped);
    }
}
