package dev.llmgateway.config;

import java.net.URI;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * An upstream provider. {@code baseUrl} is null and {@code apiKeys} empty for {@link ProviderType#MOCK};
 * {@code mock} is non-null only for that type. {@code keyCooldown} rests a key answered 429 without a
 * Retry-After; {@code keyFailureCooldown} rests a key out of quota (429 {@code insufficient_quota});
 * {@code keyRejectedCooldown} rests a key the provider rejected (401/403, Gemini's 400 {@code API_KEY_INVALID});
 * {@code breaker} opens its circuit.
 * {@code anthropicVersion} is the {@code anthropic-version} header an {@link ProviderType#ANTHROPIC} provider is
 * sent when the client sent none; null for other types. {@code maxSseEventBytes} bounds one event of the
 * provider's streams (a line that never ends included): past it the stream fails instead of growing.
 * {@code caCertificates} are the CAs an https provider's certificate must chain to ({@code ca_file}); empty: the JVM's
 * trust store.
 * {@code http} is the HTTP version spoken to it ({@link UpstreamHttp}).
 */
public record ProviderConfig(String name, ProviderType type, URI baseUrl, List<String> apiKeys,
                             int maxConnections, Duration connectTimeout, Duration poolIdleTimeout,
                             UpstreamPolicy policy, Duration keyCooldown, Duration keyFailureCooldown,
                             Duration keyRejectedCooldown, MockOptions mock, BreakerPolicy breaker,
                             String anthropicVersion, int maxSseEventBytes, List<X509Certificate> caCertificates,
                             UpstreamHttp http) {
    public static final String ANTHROPIC_VERSION = "2023-06-01";
    /**
     * A rejected key is most often a configuration slip fixed within minutes (a rotated or mistyped key) and is
     * tried again soon, like an ejected host in Envoy's outlier detection (30 s base ejection time): a long rest
     * would lock every tenant out long after the fix.
     */
    public static final Duration KEY_REJECTED_COOLDOWN = Duration.ofSeconds(30);
    /**
     * Above any event a provider sends in practice — Gemini streams a generated image inline as one base64 event of
     * several MiB — and small enough that one endless line cannot take the gateway's memory.
     */
    public static final int DEFAULT_MAX_SSE_EVENT_BYTES = 16 << 20;

    public ProviderConfig(String name, ProviderType type, URI baseUrl, List<String> apiKeys, int maxConnections,
                          Duration connectTimeout, Duration poolIdleTimeout, UpstreamPolicy policy,
                          Duration keyCooldown, Duration keyFailureCooldown, MockOptions mock) {
        this(name, type, baseUrl, apiKeys, maxConnections, connectTimeout, poolIdleTimeout, policy, keyCooldown,
                keyFailureCooldown, KEY_REJECTED_COOLDOWN, mock, BreakerPolicy.DEFAULT,
                type == ProviderType.ANTHROPIC ? ANTHROPIC_VERSION : null, DEFAULT_MAX_SSE_EVENT_BYTES, List.of(),
                UpstreamHttp.AUTO);
    }

    public ProviderConfig {
        Objects.requireNonNull(breaker, "breaker");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        apiKeys = List.copyOf(apiKeys);
        caCertificates = List.copyOf(caCertificates);
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(poolIdleTimeout, "poolIdleTimeout");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(keyCooldown, "keyCooldown");
        Objects.requireNonNull(keyFailureCooldown, "keyFailureCooldown");
        Objects.requireNonNull(keyRejectedCooldown, "keyRejectedCooldown");
        Objects.requireNonNull(http, "http");
    }

    /** Leaves the upstream keys out so that logging a config never leaks them. */
    @Override
    public String toString() {
        return "ProviderConfig[name=" + name + ", type=" + type + ", baseUrl=" + baseUrl
                + ", apiKeys=<" + apiKeys.size() + " redacted>, maxConnections=" + maxConnections
                + ", connectTimeout=" + connectTimeout + ", poolIdleTimeout=" + poolIdleTimeout
                + ", policy=" + policy + ", keyCooldown=" + keyCooldown
                + ", keyFailureCooldown=" + keyFailureCooldown + ", keyRejectedCooldown=" + keyRejectedCooldown
                + ", mock=" + mock + ", breaker=" + breaker
                + ", anthropicVersion=" + anthropicVersion + ", maxSseEventBytes=" + maxSseEventBytes
                + ", caCertificates=" + caCertificates.size() + ", http=" + http.tomlName + "]";
    }
}
