package dev.llmgateway.config;

import java.time.Duration;
import java.util.Objects;

/** The {@code [server]} table: where to listen and the limits that protect the server from its clients. */
public record ServerConfig(String host, int port, Transport transport, int ioThreads,
                           long maxRequestBytes, int maxHeaderBytes, int maxInitialLineBytes,
                           Duration headerReadTimeout, Duration bodyReadTimeout, Duration idleTimeout,
                           Duration drainTimeout, int maxConnections) {
    public ServerConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(headerReadTimeout, "headerReadTimeout");
        Objects.requireNonNull(bodyReadTimeout, "bodyReadTimeout");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(drainTimeout, "drainTimeout");
    }
}
