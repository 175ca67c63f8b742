package dev.llmgateway.tracing;

import dev.llmgateway.config.TracingConfig;
import io.netty.handler.codec.http.HttpHeaders;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporterBuilder;
import io.opentelemetry.sdk.common.Clock;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.InternalTelemetryVersion;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;

import java.util.Collection;
import java.util.concurrent.TimeUnit;

/**
 * Tracing on: the OpenTelemetry SDK with its OTLP/HTTP exporter (the JDK's HttpClient sends), behind a batch span
 * processor whose bounded queue drops and counts when the collector is slow or gone. Ending a span on an event loop
 * only offers it to that queue (a lock-free array queue; once per full batch a wake-up token goes to the export
 * thread); the protobuf encoding and the post happen on the processor's thread.
 */
final class OtelTracing implements Tracing {
    static final String TRACEPARENT = "traceparent";
    private static final String INSTRUMENTATION = "dev.llmgateway";
    /** The longest a shutdown waits for the last export. */
    private static final long CLOSE_WAIT_SECONDS = 5;

    private static final TextMapGetter<HttpHeaders> HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(HttpHeaders carrier) {
            return carrier.names();
        }

        @Override
        public String get(HttpHeaders carrier, String key) {
            return carrier == null ? null : carrier.get(key);
        }
    };

    /** Takes the warm-up's spans: they are made, filled and ended as real ones are, and go nowhere. */
    private static final SpanExporter DISCARD = new SpanExporter() {
        @Override
        public CompletableResultCode export(Collection<SpanData> spans) {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode flush() {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode shutdown() {
            return CompletableResultCode.ofSuccess();
        }
    };

    private final TracingConfig config;
    private final SdkTracerProvider provider;
    private final SdkMeterProvider meters;
    private final SpanCounts counts = new SpanCounts();
    private final Tracer tracer;
    private final Clock clock = Clock.getDefault();
    /** The most chars of prompt or completion text a span keeps; 0 when content is not captured. */
    private final int maxContent;
    /** Redacts captured text on export; null when content is not captured or nothing is exported. */
    private final ContentRedaction redaction;

    OtelTracing(TracingConfig config, int maxContent) {
        this(config, maxContent, true);
    }

    /**
     * @param exporting false for the warm-up's tracing: every request sampled, whatever the config says, and no
     *                  span exported
     */
    private OtelTracing(TracingConfig config, int maxContent, boolean exporting) {
        this.config = config;
        this.maxContent = config.captureContent() ? maxContent : 0;
        this.meters = SdkMeterProvider.builder().registerMetricReader(counts).build();
        SpanExporter otlp = exporting ? otlp(config, meters) : DISCARD;
        // Captured text is redacted on the way out; without it there is nothing to redact.
        this.redaction = exporting && config.captureContent() ? new ContentRedaction(otlp) : null;
        SpanExporter exported = redaction != null ? redaction : otlp;
        BatchSpanProcessor batches = BatchSpanProcessor.builder(exported)
                .setMaxQueueSize(config.queueCapacity())
                .setMaxExportBatchSize(Math.min(512, config.queueCapacity()))
                .setScheduleDelay(config.exportDelay())
                .setExporterTimeout(config.exportTimeout())
                .setMeterProvider(meters)
                .setInternalTelemetryVersion(InternalTelemetryVersion.LATEST)
                .build();
        AttributesBuilder resource = Attributes.builder();
        config.resourceAttributes().forEach((name, value) -> resource.put(AttributeKey.stringKey(name), value));
        resource.put(AttributeKey.stringKey("service.name"), config.serviceName());
        this.provider = SdkTracerProvider.builder()
                .setResource(Resource.getDefault().merge(Resource.create(resource.build())))
                .setSampler(exporting ? sampler(config) : Sampler.alwaysOn())
                .addSpanProcessor(batches)
                .build();
        this.tracer = provider.get(INSTRUMENTATION);
    }

    private static SpanExporter otlp(TracingConfig config, SdkMeterProvider meters) {
        OtlpHttpSpanExporterBuilder exporter = OtlpHttpSpanExporter.builder()
                .setEndpoint(config.tracesUrl().toString())
                .setTimeout(config.exportTimeout())
                .setCompression(config.compression() == TracingConfig.Compression.GZIP ? "gzip" : "none")
                .setMeterProvider(meters)
                .setInternalTelemetryVersion(InternalTelemetryVersion.LATEST)
                .setComponentLoader(BlockingHttpSender.loader());
        config.headers().forEach(exporter::addHeader);
        return exporter.build();
    }

    @Override
    public Tracing forWarmup() {
        return new OtelTracing(config, maxContent, false);
    }

    private static Sampler sampler(TracingConfig config) {
        return switch (config.sampler()) {
            case ALWAYS_ON -> Sampler.alwaysOn();
            case ALWAYS_OFF -> Sampler.alwaysOff();
            case TRACEIDRATIO -> Sampler.traceIdRatioBased(config.sampleRatio());
            case PARENTBASED_ALWAYS_ON -> Sampler.parentBased(Sampler.alwaysOn());
            case PARENTBASED_ALWAYS_OFF -> Sampler.parentBased(Sampler.alwaysOff());
            case PARENTBASED_TRACEIDRATIO -> Sampler.parentBased(Sampler.traceIdRatioBased(config.sampleRatio()));
        };
    }

    @Override
    public RequestTrace begin(HttpHeaders request, String method, String route, String endpoint,
                              long receivedNanos) {
        // Spans are timed by the monotonic clock, placed on the wall clock once per request.
        long anchorNanos = System.nanoTime();
        long anchorEpochNanos = clock.now();
        Context parent = W3CTraceContextPropagator.getInstance().extract(Context.root(), request, HEADERS);
        SpanBuilder builder = tracer.spanBuilder(route == null ? method : method + " " + route)
                .setSpanKind(SpanKind.SERVER)
                .setParent(parent)
                .setStartTimestamp(anchorEpochNanos - (anchorNanos - receivedNanos), TimeUnit.NANOSECONDS)
                .setAttribute(GenAi.HTTP_METHOD, method);
        if (route != null) {
            builder.setAttribute(GenAi.HTTP_ROUTE, route);
        }
        String operation = GenAi.operation(endpoint);
        if (operation != null) {
            builder.setAttribute(GenAi.OPERATION, operation);
        }
        Span span = builder.startSpan();
        return new ServerSpan(this, span, operation, anchorNanos, anchorEpochNanos);
    }

    Tracer tracer() {
        return tracer;
    }

    int maxContent() {
        return maxContent;
    }

    @Override
    public long droppedSpans() {
        return counts.dropped();
    }

    @Override
    public long failedSpans() {
        return counts.failed();
    }

    @Override
    public void secrets(Collection<String> secrets) {
        if (redaction != null) {
            redaction.secrets(secrets);
        }
    }

    @Override
    public void close() {
        provider.shutdown().join(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
        meters.shutdown().join(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
    }

    /** W3C {@code traceparent} for a span: version 00, trace id, span id, sampled flag. */
    static String traceparent(Span span) {
        var context = span.getSpanContext();
        return "00-" + context.getTraceId() + "-" + context.getSpanId() + "-" + context.getTraceFlags().asHex();
    }
}
