package dev.llmgateway.tracing;

import dev.llmgateway.accesslog.ExchangeRecord;
import dev.llmgateway.upstream.Provider;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaders;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;

import java.util.concurrent.TimeUnit;

/**
 * A request's server span, from its arrival to its end (the access log's duration); the attempts' client spans are
 * its children. Attributes are set only when the span records (sampled); an unsampled one still names the trace
 * to the client and the provider.
 */
final class ServerSpan implements RequestTrace {
    private final OtelTracing tracing;
    private final Span span;
    private final String operation;
    private final long anchorNanos;
    private final long anchorEpochNanos;
    private String traceparent;
    /** Read from the client's request at the first attempt, for every attempt's span. */
    private RequestParameters parameters;

    ServerSpan(OtelTracing tracing, Span span, String operation, long anchorNanos, long anchorEpochNanos) {
        this.tracing = tracing;
        this.span = span;
        this.operation = operation;
        this.anchorNanos = anchorNanos;
        this.anchorEpochNanos = anchorEpochNanos;
    }

    @Override
    public String traceId() {
        return span.getSpanContext().getTraceId();
    }

    @Override
    public void respond(HttpHeaders response) {
        if (traceparent == null) {
            traceparent = OtelTracing.traceparent(span);
        }
        response.set(OtelTracing.TRACEPARENT, traceparent);
    }

    @Override
    public AttemptTrace attempt(Provider provider, String apiModel, String alias, int number, ByteBuf request) {
        if (span.isRecording() && parameters == null) {
            parameters = RequestParameters.read(request, tracing.maxContent());
        }
        return new AttemptSpan(this, provider, apiModel, alias, number);
    }

    @Override
    public void ended(ExchangeRecord r) {
        if (span.isRecording()) {
            span.setAttribute(GenAi.HTTP_STATUS, r.status());
            span.setAttribute(GenAi.URL_PATH, path(r.uri()));
            span.setAttribute(GenAi.REQUEST_ID, r.requestId());
            setIfKnown(GenAi.CLIENT_ADDRESS, r.clientAddress());
            setIfKnown(GenAi.API_KEY, r.keyName());
            setIfKnown(GenAi.MODEL_ALIAS, r.modelLabel());
            setIfKnown(GenAi.REQUEST_MODEL, r.requestedModel());
            setIfKnown(GenAi.GATEWAY_PROVIDER, r.provider());
            if (operation != null) {
                span.setAttribute(GenAi.STREAM, r.stream());
                span.setAttribute(GenAi.ATTEMPTS, r.attempts());
                Spans.usage(span, r.inputTokens(), r.outputTokens(), r.cachedInputTokens());
            }
            if (r.timeToFirstTokenNanos() >= 0) {
                span.setAttribute(GenAi.TTFT_MS, Spans.millis(r.timeToFirstTokenNanos()));
            }
            if (r.overheadNanos() >= 0) {
                span.setAttribute(GenAi.OVERHEAD_US, r.overheadNanos() / 1_000);
            }
            String outcome = outcome(r);
            span.setAttribute(GenAi.OUTCOME, outcome);
            if (r.errorType() != null) {
                span.setAttribute(GenAi.ERROR_TYPE, r.errorType());
            }
            // A server span fails on a 5xx, or when its answer broke off (whatever its status said).
            if (r.status() >= 500 || outcome.equals(AttemptTrace.Outcome.FAILED_MID_STREAM.label)) {
                span.setStatus(StatusCode.ERROR);
            }
        }
        span.end(epochNanos(System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    /** How the request ended, in the attempts' words (and {@code rejected} for the gateway's own refusals). */
    private static String outcome(ExchangeRecord r) {
        return switch (r.outcome()) {
            case COMPLETED -> AttemptTrace.Outcome.COMPLETED.label;
            case CANCELLED_BY_CLIENT -> AttemptTrace.Outcome.CANCELLED.label;
            case REJECTED -> "rejected";
            // An error after the head leaves the status the head had: below 400.
            case UPSTREAM_ERROR, TIMEOUT, DRAINED -> r.status() < 400 ? AttemptTrace.Outcome.FAILED_MID_STREAM.label
                    : AttemptTrace.Outcome.FAILED.label;
        };
    }

    Span span() {
        return span;
    }

    String operation() {
        return operation;
    }

    RequestParameters parameters() {
        return parameters;
    }

    OtelTracing tracing() {
        return tracing;
    }

    /** A monotonic clock reading placed on the wall clock, as this trace's spans are. */
    long epochNanos(long nanoTime) {
        return anchorEpochNanos + (nanoTime - anchorNanos);
    }

    private void setIfKnown(AttributeKey<String> key, String value) {
        if (value != null) {
            span.setAttribute(key, value);
        }
    }

    private static String path(String uri) {
        int query = uri.indexOf('?');
        return query < 0 ? uri : uri.substring(0, query);
    }
}
