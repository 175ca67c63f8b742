package dev.llmgateway.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads {@code [tracing]}. A key the file leaves out takes its standard OpenTelemetry variable when that is set
 * (the signal-specific {@code OTEL_EXPORTER_OTLP_TRACES_*} before {@code OTEL_EXPORTER_OTLP_*}), else its default;
 * a bad variable is a problem named after the variable.
 */
final class TracingSection {
    static final String DEFAULT_ENDPOINT = "http://localhost:4318";
    static final String SERVICE_NAME = "llm-gateway";
    private static final String TRACES_PATH = "/v1/traces";
    private static final String EXPECTED_URL = "an http:// or https:// URL such as \"http://collector:4318\"";
    private static final String EXPECTED_HEADERS = "comma-separated name=value pairs";

    private TracingSection() {
    }

    static TracingConfig read(ConfigTable table) {
        boolean enabled = table.bool("enabled", false);
        URI url = tracesUrl(table);
        Map<String, String> headers = headers(table);
        TracingConfig.Sampler sampler = TracingConfig.Sampler.PARENTBASED_TRACEIDRATIO;
        double ratio = 1.0;
        if (table.has("sample_ratio")) {
            ratio = sampleRatio(table);
        } else if (table.variable("OTEL_TRACES_SAMPLER") != null) {
            sampler = choiceVariable(table, "OTEL_TRACES_SAMPLER", TracingConfig.Sampler.values(),
                    TracingConfig.Sampler.PARENTBASED_TRACEIDRATIO);
            ratio = ratioVariable(table);
        }
        boolean captureContent = table.bool("capture_content", false);
        String serviceName = orVariable(table, "service_name", "OTEL_SERVICE_NAME", SERVICE_NAME, "a service name");
        Duration timeout = table.has("export_timeout") ? table.duration("export_timeout", Duration.ofSeconds(10))
                : millisVariable(table, "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "OTEL_EXPORTER_OTLP_TIMEOUT",
                Duration.ofSeconds(10));
        Duration delay = table.has("export_delay") ? table.duration("export_delay", Duration.ofSeconds(5))
                : millisVariable(table, "OTEL_BSP_SCHEDULE_DELAY", "OTEL_BSP_SCHEDULE_DELAY", Duration.ofSeconds(5));
        TracingConfig.Compression compression = compression(table);
        int queue = table.has("queue_capacity")
                ? (int) table.integer("queue_capacity", 2048, 16, 1_048_576, "an integer from 16 to 1048576")
                : queueVariable(table);
        Map<String, String> resource = pairs(table, "OTEL_RESOURCE_ATTRIBUTES");
        table.reportUnknownKeys();
        return new TracingConfig(enabled, url, headers, sampler, ratio, captureContent,
                serviceName == null || serviceName.isBlank() ? SERVICE_NAME : serviceName, resource,
                timeout.isZero() ? Duration.ofSeconds(10) : timeout, compression,
                delay.isZero() ? Duration.ofSeconds(5) : delay, queue);
    }

    /** {@code endpoint} (a base URL, as OTEL_EXPORTER_OTLP_ENDPOINT) plus /v1/traces; the traces variable as is. */
    private static URI tracesUrl(ConfigTable table) {
        String label;
        String text;
        boolean base = true;
        if (table.has("endpoint")) {
            label = table.keyLabel("endpoint");
            text = table.string("endpoint", DEFAULT_ENDPOINT, EXPECTED_URL);
        } else if (table.variable("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != null) {
            label = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT";
            text = table.variable(label);
            base = false;
        } else if (table.variable("OTEL_EXPORTER_OTLP_ENDPOINT") != null) {
            label = "OTEL_EXPORTER_OTLP_ENDPOINT";
            text = table.variable(label);
        } else {
            label = null;
            text = DEFAULT_ENDPOINT;
        }
        URI url = text == null ? null : url(text.trim());
        if (url == null) {
            if (text != null) {
                table.problems().add(label, "\"" + text + "\"", EXPECTED_URL);
            }
            return URI.create(DEFAULT_ENDPOINT + TRACES_PATH);
        }
        if (!base) {
            return url;
        }
        String path = url.getRawPath() == null ? "" : url.getRawPath();
        return url.resolve((path.endsWith("/") ? path.substring(0, path.length() - 1) : path) + TRACES_PATH);
    }

    private static URI url(String text) {
        try {
            URI url = new URI(text);
            boolean http = "http".equalsIgnoreCase(url.getScheme()) || "https".equalsIgnoreCase(url.getScheme());
            return http && url.getHost() != null && url.getRawQuery() == null ? url : null;
        } catch (URISyntaxException e) {
            return null;
        }
    }

    /** {@code headers = { name = "value" }}, else the variables' {@code name=value,...} (values URL-encoded). */
    private static Map<String, String> headers(ConfigTable table) {
        if (table.has("headers")) {
            ConfigTable headers = table.tableOrEmpty("headers");
            Map<String, String> values = new LinkedHashMap<>();
            for (String name : headers.keys()) {
                String value = headers.string(name, null, "a string");
                if (value != null) {
                    values.put(name, value);
                }
            }
            return values;
        }
        Map<String, String> values = pairs(table, "OTEL_EXPORTER_OTLP_HEADERS");
        values.putAll(pairs(table, "OTEL_EXPORTER_OTLP_TRACES_HEADERS"));
        return values;
    }

    /** A variable of {@code name=value} pairs, comma-separated, values URL-decoded (the OpenTelemetry format). */
    private static Map<String, String> pairs(ConfigTable table, String variable) {
        Map<String, String> values = new LinkedHashMap<>();
        String text = table.variable(variable);
        if (text == null || text.isBlank()) {
            return values;
        }
        for (String pair : text.split(",")) {
            int eq = pair.indexOf('=');
            String name = eq < 0 ? "" : pair.substring(0, eq).trim();
            if (name.isEmpty()) {
                // The value may hold a credential: the problem names the variable only.
                table.problems().add(variable + ": a pair without a name (expected: " + EXPECTED_HEADERS + ")");
                continue;
            }
            try {
                values.put(name, URLDecoder.decode(pair.substring(eq + 1).trim(), StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                table.problems().add(variable + ": the value of " + name + " is not URL-encoded (expected: "
                        + EXPECTED_HEADERS + ")");
            }
        }
        return values;
    }

    private static double sampleRatio(ConfigTable table) {
        String expected = "a number from 0 to 1, such as 0.1";
        Object raw = table.raw("sample_ratio");
        Double value = raw instanceof Number n ? Double.valueOf(n.doubleValue()) : null;
        if (raw instanceof OverrideValue o) {
            value = parseDouble(o.text());
        }
        if (value == null || !(value >= 0 && value <= 1)) {
            table.problem("sample_ratio", expected);
            return 1.0;
        }
        return value;
    }

    /** A variable naming one of {@code values} (their TOML names); {@code def} when unset or (reported) unknown. */
    private static <E extends Enum<E>> E choiceVariable(ConfigTable table, String name, E[] values, E def) {
        String text = table.variable(name);
        if (text == null) {
            return def;
        }
        int index = TomlText.names(values).indexOf(text.trim());
        if (index < 0) {
            table.problems().add(name, "\"" + text + "\"", "one of " + String.join(", ", TomlText.names(values)));
            return def;
        }
        return values[index];
    }

    /** A variable holding an integer from {@code min} to {@code max}; null when unset or (reported) not one. */
    private static Long integerVariable(ConfigTable table, String name, long min, long max, String expected) {
        String text = table.variable(name);
        if (text == null) {
            return null;
        }
        try {
            long value = Long.parseLong(text.trim());
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        table.problems().add(name, "\"" + text + "\"", expected);
        return null;
    }

    private static double ratioVariable(ConfigTable table) {
        String text = table.variable("OTEL_TRACES_SAMPLER_ARG");
        if (text == null) {
            return 1.0;
        }
        Double value = parseDouble(text);
        if (value == null || !(value >= 0 && value <= 1)) {
            table.problems().add("OTEL_TRACES_SAMPLER_ARG", "\"" + text + "\"", "a number from 0 to 1");
            return 1.0;
        }
        return value;
    }

    /** A variable in milliseconds: {@code specific} when set, else {@code general}, else {@code def}. */
    private static Duration millisVariable(ConfigTable table, String specific, String general, Duration def) {
        Long millis = integerVariable(table, table.variable(specific) != null ? specific : general, 1,
                Long.MAX_VALUE, "milliseconds, an integer above 0");
        return millis == null ? def : Duration.ofMillis(millis);
    }

    private static TracingConfig.Compression compression(ConfigTable table) {
        if (table.has("compression")) {
            TracingConfig.Compression c = table.choice("compression", TracingConfig.Compression.NONE,
                    TracingConfig.Compression.values());
            return c == null ? TracingConfig.Compression.NONE : c;
        }
        return choiceVariable(table, table.variable("OTEL_EXPORTER_OTLP_TRACES_COMPRESSION") != null
                        ? "OTEL_EXPORTER_OTLP_TRACES_COMPRESSION" : "OTEL_EXPORTER_OTLP_COMPRESSION",
                TracingConfig.Compression.values(), TracingConfig.Compression.NONE);
    }

    private static int queueVariable(ConfigTable table) {
        Long size = integerVariable(table, "OTEL_BSP_MAX_QUEUE_SIZE", 16, 1_048_576, "an integer from 16 to 1048576");
        return size == null ? 2048 : size.intValue();
    }

    private static String orVariable(ConfigTable table, String key, String variable, String def, String expected) {
        if (table.has(key)) {
            return table.string(key, def, expected);
        }
        String value = table.variable(variable);
        return value == null || value.isBlank() ? def : value.trim();
    }

    private static Double parseDouble(String text) {
        try {
            return Double.parseDouble(text.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
