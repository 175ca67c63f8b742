package dev.llmgateway.tracing;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.export.CollectionRegistration;
import io.opentelemetry.sdk.metrics.export.MetricReader;

/**
 * Reads the SDK's own counts of the export pipeline at scrape time: spans the batch processor dropped because its
 * queue was full, and spans the exporter failed to deliver. The SDK counts them (off the event loop, but for a
 * drop) into a meter provider whose only reader is this one.
 */
final class SpanCounts implements MetricReader {
    private static final String PROCESSED = "otel.sdk.processor.span.processed";
    private static final String EXPORTED = "otel.sdk.exporter.span.exported";
    private static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");

    private volatile CollectionRegistration registration = CollectionRegistration.noop();

    /** Spans dropped because the export queue was full. */
    long dropped() {
        return sum(PROCESSED, "queue_full");
    }

    /** Spans whose export failed, whatever the reason. */
    long failed() {
        return sum(EXPORTED, null);
    }

    /** The counter's total over points with an error type ({@code errorType}, or any when null). */
    private long sum(String metric, String errorType) {
        long total = 0;
        for (MetricData data : registration.collectAllMetrics()) {
            if (!data.getName().equals(metric)) {
                continue;
            }
            for (LongPointData point : data.getLongSumData().getPoints()) {
                String type = point.getAttributes().get(ERROR_TYPE);
                if (type != null && (errorType == null || errorType.equals(type))) {
                    total += point.getValue();
                }
            }
        }
        return total;
    }

    @Override
    public void register(CollectionRegistration registration) {
        this.registration = registration;
    }

    @Override
    public AggregationTemporality getAggregationTemporality(InstrumentType instrumentType) {
        return AggregationTemporality.CUMULATIVE;
    }

    @Override
    public CompletableResultCode forceFlush() {
        return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
        return CompletableResultCode.ofSuccess();
    }
}
