package dev.llmgateway.server;

import dev.llmgateway.accesslog.AccessLog;
import dev.llmgateway.accesslog.ExchangeRecord;
import dev.llmgateway.metrics.GatewayMetrics;
import dev.llmgateway.proxy.ExchangeObserver;

/** Every counted exchange goes to the Prometheus metrics and, when enabled, the access log. */
final class ExchangeTelemetry implements ExchangeObserver {
    private final GatewayMetrics metrics;
    private final AccessLog accessLog;

    ExchangeTelemetry(GatewayMetrics metrics, AccessLog accessLog) {
        this.metrics = metrics;
        this.accessLog = accessLog;
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
}
