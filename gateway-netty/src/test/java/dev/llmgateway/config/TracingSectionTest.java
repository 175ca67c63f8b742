package dev.llmgateway.config;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code [tracing]}: defaults, the file's keys, the OTEL_* variables for what the file leaves out, problems. */
class TracingSectionTest {
    private static final String KEY = "[[api_keys]]\nname = \"k\"\nkey = \"k-0123456789abcdef\"\n";

    private static TracingConfig tracing(String table, Map<String, String> env) throws ConfigException {
        return ConfigLoader.parse(KEY + "[tracing]\n" + table, "test.toml", env).observability().tracing();
    }

    private static List<String> problems(String table, Map<String, String> env) {
        return assertThrows(ConfigException.class, () -> tracing(table, env)).problems();
    }

    @Test
    void offByDefaultWithTheOpenTelemetryDefaults() throws ConfigException {
        TracingConfig config = tracing("", Map.of());

        assertFalse(config.enabled());
        assertEquals(URI.create("http://localhost:4318/v1/traces"), config.tracesUrl());
        assertEquals(TracingConfig.Sampler.PARENTBASED_TRACEIDRATIO, config.sampler());
        assertEquals(1.0, config.sampleRatio());
        assertFalse(config.captureContent());
        assertEquals("llm-gateway", config.serviceName());
        assertEquals(Map.of(), config.headers());
        assertEquals(Duration.ofSeconds(10), config.exportTimeout());
        assertEquals(Duration.ofSeconds(5), config.exportDelay());
        assertEquals(TracingConfig.Compression.NONE, config.compression());
        assertEquals(2048, config.queueCapacity());
    }

    @Test
    void theEndpointIsABaseUrlTheTracesPathIsAppendedTo() throws ConfigException {
        assertEquals(URI.create("http://jaeger:4318/v1/traces"),
                tracing("endpoint = \"http://jaeger:4318\"", Map.of()).tracesUrl());
        assertEquals(URI.create("https://otlp.example.com/otlp/v1/traces"),
                tracing("endpoint = \"https://otlp.example.com/otlp/\"", Map.of()).tracesUrl());
    }

    @Test
    void theFileWins() throws ConfigException {
        TracingConfig config = tracing("""
                enabled = true
                endpoint = "http://collector:4318"
                headers = { authorization = "Bearer ${TOKEN}", x-scope = "team-a" }
                sample_ratio = 0.25
                capture_content = true
                service_name = "gateway-eu"
                export_timeout = "3s"
                export_delay = "1s"
                compression = "gzip"
                queue_capacity = 4096
                """, Map.of("TOKEN", "t0ken", "OTEL_EXPORTER_OTLP_ENDPOINT", "http://ignored:4318",
                "OTEL_TRACES_SAMPLER", "always_off", "OTEL_SERVICE_NAME", "ignored"));

        assertTrue(config.enabled());
        assertEquals(URI.create("http://collector:4318/v1/traces"), config.tracesUrl());
        assertEquals(Map.of("authorization", "Bearer t0ken", "x-scope", "team-a"), config.headers());
        assertEquals(TracingConfig.Sampler.PARENTBASED_TRACEIDRATIO, config.sampler());
        assertEquals(0.25, config.sampleRatio());
        assertTrue(config.captureContent());
        assertEquals("gateway-eu", config.serviceName());
        assertEquals(Duration.ofSeconds(3), config.exportTimeout());
        assertEquals(Duration.ofSeconds(1), config.exportDelay());
        assertEquals(TracingConfig.Compression.GZIP, config.compression());
        assertEquals(4096, config.queueCapacity());
        assertFalse(config.toString().contains("t0ken"), "headers hold credentials: " + config);
    }

    @Test
    void whatTheFileLeavesOutComesFromTheStandardVariables() throws ConfigException {
        TracingConfig config = tracing("enabled = true", Map.of(
                "OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318",
                "OTEL_EXPORTER_OTLP_HEADERS", "api-key=secret%3D1,x-team=a",
                "OTEL_EXPORTER_OTLP_TRACES_HEADERS", "x-team=b",
                "OTEL_TRACES_SAMPLER", "traceidratio",
                "OTEL_TRACES_SAMPLER_ARG", "0.5",
                "OTEL_SERVICE_NAME", "edge",
                "OTEL_RESOURCE_ATTRIBUTES", "deployment.environment=prod,service.version=1.2",
                "OTEL_EXPORTER_OTLP_TIMEOUT", "2500",
                "OTEL_EXPORTER_OTLP_COMPRESSION", "gzip",
                "OTEL_BSP_MAX_QUEUE_SIZE", "512"));

        assertEquals(URI.create("http://collector:4318/v1/traces"), config.tracesUrl());
        assertEquals(Map.of("api-key", "secret=1", "x-team", "b"), config.headers(), "the traces variable wins");
        assertEquals(TracingConfig.Sampler.TRACEIDRATIO, config.sampler());
        assertEquals(0.5, config.sampleRatio());
        assertEquals("edge", config.serviceName());
        assertEquals(Map.of("deployment.environment", "prod", "service.version", "1.2"), config.resourceAttributes());
        assertEquals(Duration.ofMillis(2500), config.exportTimeout());
        assertEquals(TracingConfig.Compression.GZIP, config.compression());
        assertEquals(512, config.queueCapacity());
    }

    @Test
    void aContainerTurnsTracingOnWithOverridesAndTheStandardVariablesAlone() throws ConfigException {
        TracingConfig config = ConfigLoader.parse(KEY, "test.toml", Map.of("LLM_GATEWAY__TRACING__ENABLED", "true",
                "LLM_GATEWAY__TRACING__SAMPLE_RATIO", "0.1", "LLM_GATEWAY__TRACING__CAPTURE_CONTENT", "false",
                "OTEL_EXPORTER_OTLP_ENDPOINT", "http://jaeger:4318")).observability().tracing();

        assertTrue(config.enabled());
        assertEquals(0.1, config.sampleRatio());
        assertFalse(config.captureContent());
        assertEquals(URI.create("http://jaeger:4318/v1/traces"), config.tracesUrl());
        assertEquals(List.of("LLM_GATEWAY__TRACING__ENABLED: \"yes\" (expected: true or false)"),
                assertThrows(ConfigException.class, () -> ConfigLoader.parse(KEY, "test.toml",
                        Map.of("LLM_GATEWAY__TRACING__ENABLED", "yes"))).problems());
    }

    @Test
    void theTracesEndpointVariableIsTheWholeUrl() throws ConfigException {
        assertEquals(URI.create("http://collector:4318/custom"), tracing("", Map.of(
                "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://collector:4318/custom",
                "OTEL_EXPORTER_OTLP_ENDPOINT", "http://other:4318")).tracesUrl());
    }

    @Test
    void badValuesAreProblemsNamingTheKeyOrTheVariable() {
        assertEquals(List.of(
                "tracing.endpoint: \"collector:4318\" (expected: an http:// or https:// URL such as "
                        + "\"http://collector:4318\")",
                "tracing.sample_ratio: 1.5 (expected: a number from 0 to 1, such as 0.1)",
                "tracing.compression: \"zstd\" (expected: one of none, gzip)",
                "tracing.queue_capacity: 1 (expected: an integer from 16 to 1048576)",
                "tracing.exporter: unknown key (expected one of: enabled, endpoint, headers, sample_ratio, "
                        + "capture_content, service_name, export_timeout, export_delay, compression, queue_capacity)"),
                problems("""
                        endpoint = "collector:4318"
                        sample_ratio = 1.5
                        queue_capacity = 1
                        compression = "zstd"
                        exporter = "otlp"
                        """, Map.of()));
        assertEquals(List.of(
                "OTEL_TRACES_SAMPLER: \"jaeger_remote\" (expected: one of always_on, always_off, traceidratio, "
                        + "parentbased_always_on, parentbased_always_off, parentbased_traceidratio)",
                "OTEL_TRACES_SAMPLER_ARG: \"half\" (expected: a number from 0 to 1)",
                "OTEL_EXPORTER_OTLP_TIMEOUT: \"10s\" (expected: milliseconds, an integer above 0)"),
                problems("", Map.of("OTEL_TRACES_SAMPLER", "jaeger_remote", "OTEL_TRACES_SAMPLER_ARG", "half",
                        "OTEL_EXPORTER_OTLP_TIMEOUT", "10s")));
    }

    @Test
    void aHeaderVariableWithoutANameIsAProblemThatDoesNotShowItsValue() {
        List<String> problems = problems("", Map.of("OTEL_EXPORTER_OTLP_HEADERS", "=secret-token"));

        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("OTEL_EXPORTER_OTLP_HEADERS:"), problems.get(0));
        assertFalse(problems.get(0).contains("secret-token"), problems.get(0));
    }
}
