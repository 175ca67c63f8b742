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
 * @param lingeringTime  after an early refusal, the longest the rest of the request is read and discarded before
 *                       the connection closes; zero: closed at once
 * @param lingeringTimeout    while lingering, the longest wait for more of the client's bytes
 * @param maxLingeringBytes   while lingering, the most bytes read and discarded
 * @param stalledClientTimeout the longest a client connection may stay unwritable (the client reads nothing)
 *                             before it is closed; zero: no limit
 * @param tlsEngine      the TLS implementation of every connection, client and provider side
 * @param tls            the listener's certificate ({@code [server.tls]}); null: the listener speaks plain HTTP
 */
public record ServerConfig(String host, int port, Transport transport, int ioThreads,
                           long maxRequestBytes, int maxHeaderBytes, int maxInitialLineBytes,
                           Duration headerReadTimeout, Duration bodyReadTimeout, Duration idleTimeout,
                           Duration drainTimeout, int maxConnections, Duration configReload,
                           int warmupRequests, Duration warmupTimeout,
                           Duration lingeringTime, Duration lingeringTimeout, long maxLingeringBytes,
                           Duration stalledClientTimeout, TlsEngine tlsEngine,
                           ServerTlsConfig tls) {
    public ServerConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(headerReadTimeout, "headerReadTimeout");
        Objects.requireNonNull(bodyReadTimeout, "bodyReadTimeout");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(drainTimeout, "drainTimeout");
        Objects.requireNonNull(configReload, "configReload");
        Objects.requireNonNull(warmupTimeout, "warmupTimeout");
        Objects.requireNonNull(lingeringTime, "lingeringTime");
        Objects.requireNonNull(lingeringTimeout, "lingeringTimeout");
        Objects.requireNonNull(stalledClientTimeout, "stalledClientTimeout");
        Objects.requireNonNull(tlsEngine, "tlsEngine");
    }
}
