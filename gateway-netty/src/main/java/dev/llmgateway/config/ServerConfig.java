package dev.llmgateway.config;

import java.time.Duration;
import java.util.Objects;

/**
 * The {@code [server]} table: where to listen, the limits that protect the server from its clients, and how often
 * the config file is checked for changes.
 *
 * @param configReload how often the config file is checked for a change to reload; zero: never (SIGHUP only)
 */
public record ServerConfig(String host, int port, Transport transport, int ioThreads,
                           long maxRequestBytes, int maxHeaderBytes, int maxInitialLineBytes,
                           Duration headerReadTimeout, Duration bodyReadTimeout, Duration idleTimeout,
                           Duration drainTimeout, int maxConnections, Duration configReload) {
    public ServerConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(headerReadTimeout, "headerReadTimeout");
        Objects.requireNonNull(bodyReadTimeout, "bodyReadTimeout");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(drainTimeout, "drainTimeout");
        Objects.requireNonNull(configReload, "configReload");
    }
}
