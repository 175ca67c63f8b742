package dev.llmgateway.upstream;

import dev.llmgateway.config.ProviderConfig;
import dev.llmgateway.config.ProviderType;
import dev.llmgateway.json.SecretScrubber;

import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A configured provider as the proxy uses it: where it lives (scheme, host, port, base path), the Host header to
 * send, its keys ({@link KeyRing}) and its circuit ({@link CircuitBreaker}). A config reload keeps the object (and
 * with it the pools, the circuit and the keys' rest times) while the provider's config is unchanged, and retires it
 * when the provider is removed or changed.
 */
public final class Provider {
    private final ProviderConfig config;
    private final boolean tls;
    private final String host;
    private final int port;
    private final String basePath;
    private final String hostHeader;
    private final KeyRing keys;
    private final SecretScrubber keyScrubber;
    /** Each key's own scrubber, by key. */
    private final Map<String, SecretScrubber> eachKeyScrubber;
    private final CircuitBreaker breaker;
    /** Set by the reload thread, read by event loops that make a pool for it. */
    private volatile boolean retired;

    public Provider(ProviderConfig config) {
        this.config = config;
        this.keys = new KeyRing(config.apiKeys());
        this.keyScrubber = SecretScrubber.of(config.apiKeys());
        Map<String, SecretScrubber> each = new HashMap<>();
        config.apiKeys().forEach(key -> each.put(key, SecretScrubber.of(List.of(key))));
        this.eachKeyScrubber = Map.copyOf(each);
        this.breaker = new CircuitBreaker(config.breaker());
        URI base = config.baseUrl();
        if (base == null) {
            // The in-process mock has no network target; its requests are addressed by the provider's name.
            tls = false;
            host = null;
            port = 0;
            basePath = "";
            hostHeader = config.name();
            return;
        }
        tls = "https".equalsIgnoreCase(base.getScheme());
        host = base.getHost();
        int defaultPort = tls ? 443 : 80;
        port = base.getPort() < 0 ? defaultPort : base.getPort();
        String path = base.getRawPath() == null ? "" : base.getRawPath();
        basePath = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        String hostLiteral = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        hostHeader = port == defaultPort ? hostLiteral : hostLiteral + ":" + port;
    }

    public String name() {
        return config.name();
    }

    public ProviderType type() {
        return config.type();
    }

    public ProviderConfig config() {
        return config;
    }

    public boolean tls() {
        return tls;
    }

    /** Without IPv6 brackets: what the resolver and TLS SNI take. */
    public String host() {
        return host != null && host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    }

    public int port() {
        return port;
    }

    public String hostHeader() {
        return hostHeader;
    }

    /** The request target for an endpoint path below the base URL, e.g. {@code /v1} + {@code /chat/completions}. */
    public String target(String endpointPath) {
        return basePath + endpointPath;
    }

    /** The provider's circuit, shared by every exchange that calls it. */
    public CircuitBreaker breaker() {
        return breaker;
    }

    /** True once a reload replaced or removed this provider: its pools only drain. */
    boolean retired() {
        return retired;
    }

    void retire() {
        retired = true;
    }

    /** The provider's keys, rotated and rested by the proxy. */
    public KeyRing keys() {
        return keys;
    }

    /** Masks the provider's keys in what the gateway relays from it; a changed config makes a new provider. */
    public SecretScrubber keyScrubber() {
        return keyScrubber;
    }

    /** Masks {@code key} alone, or null when it is none of the provider's keys. */
    public SecretScrubber keyScrubber(String key) {
        return eachKeyScrubber.get(key);
    }
}
