package dev.llmgateway.tracing;

import dev.llmgateway.config.TracingConfig;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Tracing on: spans recorded into the gateway's own flat records on the event loop (ids from the thread's random
 * generator, the sampling decided once per trace), ended into {@link SpanExport}'s bounded queue, and encoded as
 * OTLP protobuf and posted by the export thread. The OpenTelemetry SDK's semantics are kept where a user sees them:
 * W3C trace context, the {@code OTEL_TRACES_SAMPLER} samplers, the resource ({@code service.name},
 * {@code OTEL_RESOURCE_ATTRIBUTES}, {@code telemetry.sdk.*}), the OTLP/HTTP exporter's endpoint, headers, timeout,
 * compression and retries.
 */
final class OtlpTracing implements Tracing {
    static final AsciiString TRACEPARENT = AsciiString.cached("traceparent");
    static final AsciiString TRACESTATE = AsciiString.cached("tracestate");
    /** W3C's limit on {@code tracestate}: a longer one is not kept. */
    private static final int MAX_TRACESTATE = 512;

    private final TracingConfig config;
    private final TraceSampler sampler;
    private final SpanExport export;
    /** The most chars of prompt or completion text a span keeps; 0 when content is not captured. */
    private final int maxContent;
    /** Redacts captured text on export; null when content is not captured. */
    private final ContentRedaction redaction;

    OtlpTracing(TracingConfig config, int maxContent) {
        this(config, maxContent, true);
    }

    /**
     * @param exporting false for the warm-up's tracing: every request sampled, whatever the config says, and no
     *                  span exported
     */
    private OtlpTracing(TracingConfig config, int maxContent, boolean exporting) {
        this.config = config;
        this.maxContent = config.captureContent() ? maxContent : 0;
        this.redaction = config.captureContent() ? new ContentRedaction() : null;
        this.sampler = exporting ? new TraceSampler(config.sampler(), config.sampleRatio()) : TraceSampler.alwaysOn();
        BlockingHttpSender sender = exporting ? new BlockingHttpSender(config.tracesUrl(), config.headers(),
                config.exportTimeout(), config.compression() == TracingConfig.Compression.GZIP,
                BlockingHttpSender.Retries.OTLP) : null;
        this.export = new SpanExport(config.queueCapacity(), config.exportDelay(),
                new OtlpEncoder(resource(config), redaction), sender,
                exporting ? "otlp-span-export" : "otlp-span-export-warmup");
    }

    /** The resource's attributes: the SDK's defaults, then {@code OTEL_RESOURCE_ATTRIBUTES}, then the service name. */
    static Map<String, String> resource(TracingConfig config) {
        Map<String, String> resource = new LinkedHashMap<>();
        resource.put("telemetry.sdk.language", "java");
        resource.put("telemetry.sdk.name", "llm-gateway");
        resource.putAll(config.resourceAttributes());
        resource.put("service.name", config.serviceName());
        return resource;
    }

    @Override
    public Tracing forWarmup() {
        return new OtlpTracing(config, maxContent, false);
    }

    @Override
    public RequestTrace begin(HttpHeaders request, String method, String route, String endpoint,
                              long receivedNanos) {
        String traceparent = request.get(TRACEPARENT);
        boolean continued = TraceIds.valid(traceparent);
        long traceIdHigh = continued ? TraceIds.traceIdHigh(traceparent) : TraceIds.random();
        long traceIdLow = continued ? TraceIds.traceIdLow(traceparent) : TraceIds.random();
        long parent = continued ? TraceIds.parentSpanId(traceparent) : 0;
        boolean sampled = sampler.sample(continued, continued && TraceIds.sampled(traceparent), traceIdLow);
        String traceState = continued ? traceState(request.get(TRACESTATE)) : null;
        return new ServerSpan(this, traceIdHigh, traceIdLow, parent, traceState, sampled, method, route,
                GenAi.operation(endpoint), receivedNanos);
    }

    /** The client's {@code tracestate} as it sent it, when it is within W3C's length; null when absent or blank. */
    private static String traceState(String header) {
        return header == null || header.isBlank() || header.length() > MAX_TRACESTATE ? null : header.trim();
    }

    void export(SpanRecord span) {
        export.offer(span);
    }

    int maxContent() {
        return maxContent;
    }

    @Override
    public long droppedSpans() {
        return export.dropped();
    }

    @Override
    public long failedSpans() {
        return export.failed();
    }

    @Override
    public void secrets(Collection<String> secrets) {
        if (redaction != null) {
            redaction.secrets(secrets);
        }
    }

    @Override
    public void close() {
        export.close();
    }
}
