package dev.llmgateway.config;

import java.time.Duration;
import java.util.Objects;

/**
 * How the gateway calls one upstream: its timeouts, its retries, and what a translated request gets when the
 * client leaves it out. Set per provider and overridable per model, key by key.
 *
 * @param firstByteTimeout from the upstream request written to the response head
 * @param idleTimeout      the longest silence between reads of a response body or stream
 * @param totalTimeout     the whole exchange; {@link Duration#ZERO} = off, because no fixed limit may cut a healthy
 *                         long stream unless the operator asks for one
 * @param maxAttempts      attempts per exchange, the first one included
 * @param maxRetryDelay    cap of the backoff; a provider asking for a longer wait is answered with its own reply
 * @param defaultMaxTokens the output limit sent to an Anthropic model when the client sets none (Anthropic requires
 *                         one; OpenAI and Gemini clients may leave it out)
 */
public record UpstreamPolicy(Duration firstByteTimeout, Duration idleTimeout, Duration totalTimeout,
                             int maxAttempts, Duration maxRetryDelay, long defaultMaxTokens) {
    public static final UpstreamPolicy DEFAULT = new UpstreamPolicy(Duration.ofSeconds(60), Duration.ofSeconds(60),
            Duration.ZERO, 2, Duration.ofSeconds(5), 4096);
    private static final String POSITIVE = "a duration > 0 such as \"30s\"";
    private static final String FIRST_BYTE_TIMEOUT = "first_byte_timeout";
    private static final String IDLE_TIMEOUT = "idle_timeout";
    private static final String TOTAL_TIMEOUT = "total_timeout";
    private static final String MAX_ATTEMPTS = "max_attempts";
    private static final String MAX_RETRY_DELAY = "max_retry_delay";
    private static final String DEFAULT_MAX_TOKENS = "default_max_tokens";

    public UpstreamPolicy {
        Objects.requireNonNull(firstByteTimeout, "firstByteTimeout");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(totalTimeout, "totalTimeout");
        Objects.requireNonNull(maxRetryDelay, "maxRetryDelay");
    }

    /** Reads the policy keys of a provider or model table; absent keys keep {@code defaults}. */
    static UpstreamPolicy read(ConfigTable t, UpstreamPolicy defaults) {
        return new UpstreamPolicy(positive(t, FIRST_BYTE_TIMEOUT, defaults.firstByteTimeout()),
                positive(t, IDLE_TIMEOUT, defaults.idleTimeout()),
                t.duration(TOTAL_TIMEOUT, defaults.totalTimeout()),
                (int) t.integer(MAX_ATTEMPTS, defaults.maxAttempts(), 1, 10, "an integer from 1 to 10"),
                t.duration(MAX_RETRY_DELAY, defaults.maxRetryDelay()),
                t.integer(DEFAULT_MAX_TOKENS, defaults.defaultMaxTokens(), 1, 10_000_000,
                        "an integer from 1 to 10000000"));
    }

    /**
     * This policy's values for the keys {@code t} sets, {@code base}'s for the others: a model's own overrides laid
     * over one of its deployments' provider policy, so each deployment keeps its provider's settings.
     */
    UpstreamPolicy over(UpstreamPolicy base, ConfigTable t) {
        return new UpstreamPolicy(t.has(FIRST_BYTE_TIMEOUT) ? firstByteTimeout : base.firstByteTimeout,
                t.has(IDLE_TIMEOUT) ? idleTimeout : base.idleTimeout,
                t.has(TOTAL_TIMEOUT) ? totalTimeout : base.totalTimeout,
                t.has(MAX_ATTEMPTS) ? maxAttempts : base.maxAttempts,
                t.has(MAX_RETRY_DELAY) ? maxRetryDelay : base.maxRetryDelay,
                t.has(DEFAULT_MAX_TOKENS) ? defaultMaxTokens : base.defaultMaxTokens);
    }

    private static Duration positive(ConfigTable t, String key, Duration def) {
        Duration value = t.duration(key, def);
        if (value.isZero()) {
            t.problem(key, POSITIVE);
            return def;
        }
        return value;
    }
}
