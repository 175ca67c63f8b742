package dev.llmgateway.config;

import java.time.Duration;
import java.util.Objects;

/**
 * The {@code [server]} table: where to listen, the limits that protect the server from its clients, and how often
 * the config file is checked for changes.
 *
 * @param configReload   how often the config file is checked for a change to reload; zero: never (SIGHUP only)
 * @param warmupRequests requests sent through the pipeline at startup, before {@code /ready} says ready; 0: none
 * @param warmupTimeout  the longest the startup warm-up may take, whatever its count
 */
public record ServerConfig(String host, int port, Transport transport, int ioThreads,
                           long maxRequestBytes, int maxHeaderBytes, int maxInitialLineBytes,
                           Duration headerReadTimeout, Duration bodyReadTimeout, Duration idleTimeout,
                           Duration drainTimeout, int maxConnections, Duration configReload,
                           int warmupRequests, Duration warmupTimeout) {
    public ServerConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(headerReadTimeout, "headerReadTimeout");
        Objects.requireNonNull(bodyReadTimeout, "bodyReadTimeout");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(drainTimeout, "drainTimeout");
        Objects.requireNonNull(configReload, "configReload");
        Objects.requireNonNull(warmupTimeout, "warmupTimeout");
    }
}
