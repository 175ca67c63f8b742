package dev.llmgateway.server;

import dev.llmgateway.accesslog.AccessLog;
import dev.llmgateway.accesslog.BodyCapture;
import dev.llmgateway.accesslog.ExchangeRecord;
import dev.llmgateway.metrics.GatewayMetrics;
import dev.llmgateway.exchange.ExchangeObserver;
import dev.llmgateway.tracing.Tracing;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.FastThreadLocal;

import java.util.concurrent.atomic.LongAdder;

/**
 * Every counted exchange goes to the Prometheus metrics and, when enabled, the access log, body capture and traces.
 * A request refused at the edge is counted like any other, but its access-log line is written only within
 * {@link #REFUSAL_LINES_PER_SECOND} per event loop: a flood of garbage costs a counter each, not a line each.
 * Public for the benchmark that measures what it costs per request.
 */
public final class ExchangeTelemetry implements ExchangeObserver {
    static final int REFUSAL_LINES_PER_SECOND = 100;

    private final GatewayMetrics metrics;
    private final AccessLog accessLog;
    private final BodyCapture capture;
    private final Tracing tracing;
    private final FastThreadLocal<RefusalLines> refusalLines = new FastThreadLocal<>() {
        @Override
        protected RefusalLines initialValue() {
            return new RefusalLines();
        }
    };
    private final LongAdder refusalLinesDropped = new LongAdder();

    public ExchangeTelemetry(GatewayMetrics metrics, AccessLog accessLog, BodyCapture capture, Tracing tracing) {
        this.metrics = metrics;
        this.accessLog = accessLog;
        this.capture = capture;
        this.tracing = tracing;
        metrics.droppedLines(accessLog == null ? () -> 0 : accessLog::dropped, capture::dropped);
        metrics.spans(tracing::droppedSpans, tracing::failedSpans);
        metrics.droppedRefusalLines(refusalLinesDropped::sum);
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
    public void refused(ExchangeRecord record) {
        metrics.requestFinished(record);
        if (accessLog == null) {
            return;
        }
        if (refusalLines.get().admit(System.nanoTime())) {
            accessLog.log(record);
        } else {
            refusalLinesDropped.increment();
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

    /** One event loop's refusal lines in the current second. */
    private static final class RefusalLines {
        private static final long SECOND_NANOS = 1_000_000_000L;
        private long windowStart = System.nanoTime() - SECOND_NANOS;
        private int lines;

        boolean admit(long now) {
            if (now - windowStart >= SECOND_NANOS) {
                windowStart = now;
                lines = 0;
            }
            return ++lines <= REFUSAL_LINES_PER_SECOND;
        }
    }
}
