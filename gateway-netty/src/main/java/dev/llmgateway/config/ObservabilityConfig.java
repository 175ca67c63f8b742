package dev.llmgateway.config;

import java.nio.file.Path;

/**
 * {@code [metrics]}, {@code [access_log]}, {@code [capture]} and {@code [tracing]}.
 *
 * @param metricsPort 0 to serve {@code /metrics} on the main listener, else a separate admin port
 */
public record ObservabilityConfig(boolean metricsEnabled, int metricsPort, boolean metricsRequireKey,
                                  boolean accessLogEnabled, String accessLogSink, AccessLogFormat accessLogFormat,
                                  int accessLogQueue, boolean captureEnabled, Path captureFile,
                                  int captureMaxBytes, TracingConfig tracing) {

    /** {@code json}: one JSON object per line; {@code console}: one human-readable line. */
    public enum AccessLogFormat { JSON, CONSOLE }
}
