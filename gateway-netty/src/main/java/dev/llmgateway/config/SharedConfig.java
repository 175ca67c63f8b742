package dev.llmgateway.config;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * {@code [shared]}: the Redis that holds the key limits every replica shares. Absent from {@link GatewayConfig}
 * when the file has no such table: then every limit is counted per replica and no Redis is needed.
 *
 * @param redisUrl      {@code redis://[:password@]host:port/db} or {@code rediss://...} (TLS); holds the password
 * @param keyPrefix     prepended to every Redis key and channel the gateway uses
 * @param timeout       the longest wait for one Redis answer; slower counts as unavailable
 * @param onUnavailable what a request of a limited key gets while Redis cannot answer
 * @param slotLease     how long a concurrency slot outlives a replica that died holding it
 */
public record SharedConfig(URI redisUrl, String keyPrefix, Duration timeout, OnUnavailable onUnavailable,
                           Duration slotLease) {
    public SharedConfig {
        Objects.requireNonNull(redisUrl, "redisUrl");
        Objects.requireNonNull(keyPrefix, "keyPrefix");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(onUnavailable, "onUnavailable");
        Objects.requireNonNull(slotLease, "slotLease");
    }

    /**
     * {@code local}: count per replica until Redis answers again (each replica then enforces the whole limit on its
     * own share); {@code deny}: refuse limited keys' requests with 503.
     */
    public enum OnUnavailable { LOCAL, DENY }

    /** The URL without its password: what logs show. */
    public String redisAddress() {
        return redisUrl.getScheme() + "://" + redisUrl.getHost() + ":" + port()
                + "/" + database();
    }

    public int port() {
        return redisUrl.getPort() < 0 ? 6379 : redisUrl.getPort();
    }

    public boolean tls() {
        return "rediss".equals(redisUrl.getScheme());
    }

    /** The database number of the URL's path; 0 when it names none. */
    public int database() {
        String path = redisUrl.getPath();
        return path == null || path.length() <= 1 ? 0 : Integer.parseInt(path.substring(1));
    }

    /** Leaves the password out. */
    @Override
    public String toString() {
        return "SharedConfig[redis=" + redisAddress() + ", keyPrefix=" + keyPrefix + ", timeout=" + timeout
                + ", onUnavailable=" + onUnavailable + ", slotLease=" + slotLease + "]";
    }
}
