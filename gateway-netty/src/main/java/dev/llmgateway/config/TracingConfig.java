package dev.llmgateway.config;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * {@code [tracing]}: OpenTelemetry traces exported over OTLP/HTTP (protobuf). Each setting left out of the file
 * takes the standard {@code OTEL_*} environment variable when it is set, else its default.
 *
 * @param tracesUrl          where spans are posted: {@code endpoint} + {@code /v1/traces}, or
 *                           {@code OTEL_EXPORTER_OTLP_TRACES_ENDPOINT} as it is
 * @param headers            sent with every export (e.g. an API key of the trace backend); never printed
 * @param sampleRatio        the share of new traces kept, for the ratio samplers
 * @param captureContent     prompt and completion text on the spans, redacted as the body capture is
 * @param resourceAttributes from {@code OTEL_RESOURCE_ATTRIBUTES}; {@code service.name} is {@code serviceName}
 * @param exportDelay        the longest a finished span waits for its batch to be sent
 * @param queueCapacity      finished spans held for export; beyond it new spans are dropped and counted
 */
public record TracingConfig(boolean enabled, URI tracesUrl, Map<String, String> headers, Sampler sampler,
                            double sampleRatio, boolean captureContent, String serviceName,
                            Map<String, String> resourceAttributes, Duration exportTimeout, Compression compression,
                            Duration exportDelay, int queueCapacity) {
    /** {@code OTEL_TRACES_SAMPLER}'s values; {@code sample_ratio} is {@link #PARENTBASED_TRACEIDRATIO}. */
    public enum Sampler {
        ALWAYS_ON, ALWAYS_OFF, TRACEIDRATIO, PARENTBASED_ALWAYS_ON, PARENTBASED_ALWAYS_OFF, PARENTBASED_TRACEIDRATIO
    }

    public enum Compression { NONE, GZIP }

    public TracingConfig {
        Objects.requireNonNull(tracesUrl, "tracesUrl");
        Objects.requireNonNull(sampler, "sampler");
        Objects.requireNonNull(serviceName, "serviceName");
        Objects.requireNonNull(exportTimeout, "exportTimeout");
        Objects.requireNonNull(compression, "compression");
        Objects.requireNonNull(exportDelay, "exportDelay");
        headers = Map.copyOf(headers);
        resourceAttributes = Map.copyOf(resourceAttributes);
    }

    /** Headers hold credentials: the text shows only their names. */
    @Override
    public String toString() {
        return "TracingConfig[enabled=" + enabled + ", tracesUrl=" + tracesUrl + ", headers=" + headers.keySet()
                + ", sampler=" + sampler + ", sampleRatio=" + sampleRatio + ", captureContent=" + captureContent
                + ", serviceName=" + serviceName + ", exportTimeout=" + exportTimeout + ", compression="
                + compression + ", exportDelay=" + exportDelay + ", queueCapacity=" + queueCapacity + "]";
    }
}
