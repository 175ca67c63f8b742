package dev.llmgateway.tracing;

import dev.llmgateway.accesslog.ExchangeRecord;
import dev.llmgateway.dialect.SamplingParameters;
import dev.llmgateway.upstream.Provider;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;

/**
 * A request's server span, from its arrival to its end (the access log's duration); the attempts' client spans are
 * its children. Its fields are its attributes, copied from the access log's record at the end; only a sampled span
 * fills them and goes to the export, an unsampled one still names the trace to the client and the provider.
 */
final class ServerSpan extends SpanRecord implements RequestTrace {
    private final OtlpTracing tracing;
    private final boolean sampled;
    private final String method;
    /** Null for an unknown path. */
    private final String route;
    private final String operation;
    /** The monotonic clock's reading and the wall clock's at the span's start: spans are placed by both. */
    private final long anchorNanos;
    private final long anchorEpochNanos;
    private AsciiString traceparent;
    /** The captured prompt, read from the client's request at the first attempt for every attempt's span. */
    private PromptContent prompt;

    // The end, from the access log's record.
    private int status;
    private String uri;
    private String requestId;
    private String clientAddress;
    private String keyName;
    private String modelLabel;
    private String requestedModel;
    private String provider;
    private boolean stream;
    private int attempts;
    private long inputTokens;
    private long outputTokens;
    private long cachedInputTokens;
    private long timeToFirstTokenNanos;
    private long overheadNanos;
    private String outcome;
    private String errorType;

    ServerSpan(OtlpTracing tracing, long traceIdHigh, long traceIdLow, long parentSpanId, String traceState,
               boolean sampled, String method, String route, String operation, long receivedNanos) {
        super(traceIdHigh, traceIdLow, TraceIds.random(), parentSpanId, parentSpanId != 0, traceState);
        this.tracing = tracing;
        this.sampled = sampled;
        this.method = method;
        this.route = route;
        this.operation = operation;
        this.anchorNanos = System.nanoTime();
        this.anchorEpochNanos = EpochClock.nowNanos();
        this.startEpochNanos = epochNanos(receivedNanos);
    }

    boolean sampled() {
        return sampled;
    }

    @Override
    public String traceId() {
        return TraceIds.traceId(traceIdHigh, traceIdLow);
    }

    @Override
    public void respond(HttpHeaders response) {
        if (traceparent == null) {
            traceparent = TraceIds.traceparent(traceIdHigh, traceIdLow, spanId, sampled);
        }
        response.set(OtlpTracing.TRACEPARENT, traceparent);
    }

    @Override
    public AttemptTrace attempt(Provider provider, String apiModel, String alias, int number,
                                SamplingParameters sampling, ByteBuf request) {
        if (sampled && prompt == null && tracing.maxContent() > 0) {
            prompt = PromptContent.read(request, tracing.maxContent());
        }
        return new AttemptSpan(this, provider, apiModel, alias, number, sampling);
    }

    @Override
    public void ended(ExchangeRecord r) {
        if (!sampled) {
            return;
        }
        status = r.status();
        uri = r.uri();
        requestId = r.requestId();
        clientAddress = r.clientAddress();
        keyName = r.keyName();
        modelLabel = r.modelLabel();
        requestedModel = r.requestedModel();
        provider = r.provider();
        stream = r.stream();
        attempts = r.attempts();
        inputTokens = r.inputTokens();
        outputTokens = r.outputTokens();
        cachedInputTokens = r.cachedInputTokens();
        timeToFirstTokenNanos = r.timeToFirstTokenNanos();
        overheadNanos = r.overheadNanos();
        outcome = outcome(r);
        errorType = r.errorType();
        // A server span fails on a 5xx, or when its answer broke off (whatever its status said).
        error = status >= 500 || outcome.equals(AttemptTrace.Outcome.FAILED_MID_STREAM.label);
        endEpochNanos = epochNanos(System.nanoTime());
        tracing.export(this);
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

    @Override
    int kind() {
        return KIND_SERVER;
    }

    @Override
    void name(ProtoWriter out) {
        out.utf8(method);
        if (route != null) {
            out.ascii(' ');
            out.utf8(route);
        }
    }

    @Override
    void attributes(OtlpEncoder out) {
        out.string(GenAi.HTTP_METHOD, method);
        out.string(GenAi.HTTP_ROUTE, route);
        out.string(GenAi.OPERATION, operation);
        out.integer(GenAi.HTTP_STATUS, status);
        out.string(GenAi.URL_PATH, path(uri));
        out.string(GenAi.REQUEST_ID, requestId);
        out.string(GenAi.CLIENT_ADDRESS, clientAddress);
        out.string(GenAi.API_KEY, keyName);
        out.string(GenAi.MODEL_ALIAS, modelLabel);
        out.string(GenAi.REQUEST_MODEL, requestedModel);
        out.string(GenAi.GATEWAY_PROVIDER, provider);
        if (operation != null) {
            out.bool(GenAi.STREAM, stream);
            out.integer(GenAi.ATTEMPTS, attempts);
            Spans.usage(out, inputTokens, outputTokens, cachedInputTokens);
        }
        if (timeToFirstTokenNanos >= 0) {
            out.floating(GenAi.TTFT_MS, Spans.millis(timeToFirstTokenNanos));
        }
        if (overheadNanos >= 0) {
            out.integer(GenAi.OVERHEAD_US, overheadNanos / 1_000);
        }
        out.string(GenAi.OUTCOME, outcome);
        out.string(GenAi.ERROR_TYPE, errorType);
    }

    String operation() {
        return operation;
    }

    /** Null unless content is captured. */
    PromptContent prompt() {
        return prompt;
    }

    OtlpTracing tracing() {
        return tracing;
    }

    /** A monotonic clock reading placed on the wall clock, as this trace's spans are. */
    long epochNanos(long nanoTime) {
        return anchorEpochNanos + (nanoTime - anchorNanos);
    }

    private static String path(String uri) {
        int query = uri.indexOf('?');
        return query < 0 ? uri : uri.substring(0, query);
    }
}
