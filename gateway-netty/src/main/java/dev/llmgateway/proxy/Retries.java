package dev.llmgateway.proxy;

import dev.llmgateway.config.ProviderType;
import dev.llmgateway.config.UpstreamPolicy;
import dev.llmgateway.dialect.RetryAfter;
import dev.llmgateway.metrics.GatewayMetrics;
import dev.llmgateway.upstream.CircuitBreaker;
import dev.llmgateway.upstream.KeyRing;
import dev.llmgateway.upstream.Provider;
import io.netty.handler.codec.http.HttpResponse;

/**
 * One exchange's attempt budget and key use: which key an attempt sends, which keys a provider's answer puts to
 * rest, and whether (and after how long) a failed attempt is tried again. Decisions only; {@link ProxyCall} acts on
 * them. Runs on the exchange's event loop.
 */
final class Retries {
    /** {@link #afterError}/{@link #afterFailure}: no retry, the client gets this answer. */
    static final long GIVE_UP = -1;

    private final Provider provider;
    private final UpstreamPolicy policy;
    private final GatewayMetrics metrics;
    /** Attempts counted against max_attempts: a free retry of a stale pooled connection is not one. */
    private int attempts = 1;
    /** A virtual key's own credential: always sent, never rotated or put to rest (the ring is not its keys). */
    private final String ownKey;
    private int keyIndex = KeyRing.NO_KEYS;
    /** What the provider's circuit let through, awaiting its verdict; REFUSED when nothing is pending. */
    private CircuitBreaker.Admission admitted = CircuitBreaker.Admission.REFUSED;

    Retries(Provider provider, UpstreamPolicy policy, GatewayMetrics metrics, String ownKey) {
        this.provider = provider;
        this.ownKey = ownKey;
        this.policy = policy;
        this.metrics = metrics;
    }

    /** Picks the attempt's key; false when every key is resting. */
    boolean chooseKey() {
        if (ownKey != null) {
            return true;
        }
        int key = provider.keys().next(System.nanoTime());
        if (key == KeyRing.ALL_COOLING) {
            return false;
        }
        keyIndex = key;
        return true;
    }

    /** Whether the provider's circuit lets the attempt through; an admitted one is later settled or abandoned. */
    boolean admit() {
        admitted = provider.breaker().tryAcquire(System.nanoTime());
        return admitted != CircuitBreaker.Admission.REFUSED;
    }

    /**
     * The admitted attempt's verdict for the circuit, once: the provider failed (unreachable, cut or silent before
     * its head, a 5xx/529) or answered. A 429 is about a key or quota, not the provider's health.
     */
    void settle(boolean providerFailed) {
        if (admitted != CircuitBreaker.Admission.REFUSED) {
            provider.breaker().record(admitted, !providerFailed, System.nanoTime());
            admitted = CircuitBreaker.Admission.REFUSED;
        }
    }

    /** The admitted attempt ended with no verdict (the client left, a stale pooled connection). */
    void abandon() {
        if (admitted != CircuitBreaker.Admission.REFUSED) {
            provider.breaker().abandon(admitted);
            admitted = CircuitBreaker.Admission.REFUSED;
        }
    }

    /** The key to send, or null for a provider without keys. */
    String key() {
        return ownKey != null ? ownKey : keyIndex >= 0 ? provider.keys().key(keyIndex) : null;
    }

    /** Whole seconds, at least 1, until a resting key is usable: the client's Retry-After. */
    long secondsUntilKeyUsable() {
        long nanos = provider.keys().nanosUntilUsable(System.nanoTime());
        return Math.max(1, (nanos + 999_999_999) / 1_000_000_000);
    }

    /**
     * Whether a response head must be held until its body is whole before deciding: retryable statuses while
     * attempts remain, and every 429, whose body tells a rate limit from an exhausted quota. A 401/403 rests the key
     * at once (the answer itself goes to the client: another key may be fine, this request's was refused); so does
     * Gemini's 400 for a bad key, held to read its reason. With a fallback left, a retryable status is held even on
     * the last attempt: it may go to the fallback instead.
     */
    boolean holds(int status, boolean fallbackLeft) {
        if (status == 401 || status == 403) {
            coolKey(provider.config().keyFailureCooldown().toNanos(), "auth_failed");
        }
        return status == 429 || status == 400 && provider.type() == ProviderType.GEMINI
                || RetryPolicy.retryableStatus(status) && (attempts < policy.maxAttempts() || fallbackLeft);
    }

    /** Whether a held answer nobody retries moves on to a fallback: a retryable one, not an exhausted quota. */
    static boolean fallsBack(HeldResponse response) {
        int status = response.head().status().code();
        return status == 429 ? !RetryPolicy.insufficientQuota(response.body()) : RetryPolicy.retryableStatus(status);
    }

    /** A whole held error response: the wait before the next attempt, or {@link #GIVE_UP}. */
    long afterError(HeldResponse response) {
        HttpResponse head = response.head();
        int status = head.status().code();
        if (!RetryPolicy.retryableStatus(status)) {
            if (RetryPolicy.keyInvalid(response.body())) {
                coolKey(provider.config().keyFailureCooldown().toNanos(), "auth_failed");
            }
            return GIVE_UP;
        }
        long askedNanos = RetryAfter.nanos(head.headers());
        boolean noQuota = status == 429 && RetryPolicy.insufficientQuota(response.body());
        if (status == 429) {
            coolKey(noQuota ? provider.config().keyFailureCooldown().toNanos()
                    : askedNanos >= 0 ? askedNanos : provider.config().keyCooldown().toNanos(),
                    noQuota ? "insufficient_quota" : "rate_limited");
            if (keyIndex >= 0) {
                provider.keys().shareRest(keyIndex, System.nanoTime());
            }
        }
        // After a 429 another key may be ready now; the provider's wait is for the key that was refused. With no
        // other key and no wait named, a retry would only meet the resting key: the provider's answer goes out.
        // A virtual key has no other key.
        boolean otherKeyReady = status == 429 && ownKey == null
                && provider.keys().nanosUntilUsable(System.nanoTime()) == 0;
        if (noQuota || attempts >= policy.maxAttempts() || status == 429 && !otherKeyReady && askedNanos < 0) {
            return GIVE_UP;
        }
        if (askedNanos >= 0 && !otherKeyReady) {
            return askedNanos > policy.maxRetryDelay().toNanos() ? GIVE_UP : retrying(askedNanos);
        }
        return afterFailure();
    }

    /** A failed attempt with nothing from the provider to go by (connect failure, cut, timeout). */
    long afterFailure() {
        if (attempts >= policy.maxAttempts()) {
            return GIVE_UP;
        }
        return retrying(RetryPolicy.backoffNanos(attempts - 1, policy.maxRetryDelay().toNanos()));
    }

    private long retrying(long waitNanos) {
        attempts++;
        metrics.retry(provider.name());
        return waitNanos;
    }

    private void coolKey(long forNanos, String reason) {
        if (keyIndex >= 0) {
            provider.keys().coolDown(keyIndex, System.nanoTime() + forNanos);
            metrics.keyCooldown(provider.name(), keyIndex, reason);
        }
    }
}
