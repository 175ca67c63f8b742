package dev.llmgateway.server;

import dev.llmgateway.accesslog.AccessLog;
import dev.llmgateway.accesslog.BodyCapture;
import dev.llmgateway.accesslog.ExchangeRecord;
import dev.llmgateway.metrics.GatewayMetrics;
import dev.llmgateway.exchange.ExchangeObserver;
import dev.llmgateway.tracing.Tracing;
import io.netty.buffer.ByteBuf;

/**
 * Every counted exchange goes to the Prometheus metrics and, when enabled, the access log, body capture and traces.
 */
final class ExchangeTelemetry implements ExchangeObserver {
    private final GatewayMetrics metrics;
    private final AccessLog accessLog;
    private final BodyCapture capture;
    private final Tracing tracing;

    ExchangeTelemetry(GatewayMetrics metrics, AccessLog accessLog, BodyCapture capture, Tracing tracing) {
        this.metrics = metrics;
        this.accessLog = accessLog;
        this.capture = capture;
        this.tracing = tracing;
        metrics.droppedLines(accessLog == null ? () -> 0 : accessLog::dropped, capture::dropped);
        metrics.spans(tracing::droppedSpans, tracing::failedSpans);
    }

    @Override
    public void started() {
        metrics.requestStarted();
    }

    @Override
    public void finished(ExchangeRecord record) {
        metrics.requestFinished(record);
        if (accessLog != null) {
            accessLog.log(record);
        }
    }

    @Override
    public boolean capturing() {
        return capture.enabled();
    }

    @Override
    public Tracing tracing() {
        return tracing;
    }

    @Override
    public void capture(String requestId, String direction, ByteBuf body) {
        if (capture.enabled()) {
            capture.capture(requestId, direction, body);
        }
    }
}
