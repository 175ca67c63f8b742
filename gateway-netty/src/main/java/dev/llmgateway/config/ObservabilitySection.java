package dev.llmgateway.config;

import java.nio.file.Path;

/** Reads {@code [metrics]}, {@code [access_log]}, {@code [capture]}, {@code [tracing]}; every setting has a default. */
final class ObservabilitySection {
    private ObservabilitySection() {
    }

    static ObservabilityConfig read(ConfigTable root) {
        ConfigTable metrics = root.tableOrEmpty("metrics");
        ConfigTable log = root.tableOrEmpty("access_log");
        ConfigTable capture = root.tableOrEmpty("capture");
        ObservabilityConfig.AccessLogFormat format = log.choice("format", ObservabilityConfig.AccessLogFormat.JSON,
                ObservabilityConfig.AccessLogFormat.values());
        String captureFile = capture.string("file", "capture.jsonl", "a file path");
        ObservabilityConfig config = new ObservabilityConfig(
                metrics.bool("enabled", true),
                (int) metrics.integer("port", 0, 0, 65535, "an integer from 0 to 65535 (0: the main listener)"),
                metrics.bool("require_key", false),
                log.bool("enabled", true),
                orDefault(log.string("sink", "stdout", "stdout, stderr or a file path"), "stdout"),
                format == null ? ObservabilityConfig.AccessLogFormat.JSON : format,
                (int) log.integer("queue_capacity", 65536, 16, 16_777_216, "an integer from 16 to 16777216"),
                capture.bool("enabled", false),
                Path.of(orDefault(captureFile, "capture.jsonl")),
                (int) capture.byteSize("max_bytes_per_entry", 65536, 256, 64L << 20),
                TracingSection.read(root.tableOrEmpty("tracing")));
        metrics.reportUnknownKeys();
        log.reportUnknownKeys();
        capture.reportUnknownKeys();
        return config;
    }

    // After a reported problem any value keeps the record constructible until the load fails.
    private static String orDefault(String value, String def) {
        return value == null || value.isBlank() ? def : value;
    }
}
