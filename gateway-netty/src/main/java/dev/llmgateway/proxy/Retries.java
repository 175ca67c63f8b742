package dev.llmgateway.proxy;

import dev.llmgateway.config.ProviderType;
import dev.llmgateway.config.UpstreamPolicy;
import dev.llmgateway.dialect.ApiError;
import dev.llmgateway.dialect.RetryAfter;
import dev.llmgateway.metrics.GatewayMetrics;
import dev.llmgateway.upstream.CircuitBreaker;
import dev.llmgateway.upstream.KeyRing;
import dev.llmgateway.upstream.Provider;
import io.netty.handler.codec.http.HttpResponse;

import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * One exchange's attempt budget and key use: which key an attempt sends, which keys a provider's answer puts to
 * rest, and whether (and after how long) a failed attempt is tried again. Decisions only; {@link ProxyCall} acts on
 * them. Runs on the exchange's event loop.
 */
final class Retries {
    /** {@link #afterError}/{@link #afterFailure}: no retry, the client gets this answer. */
    static final long GIVE_UP = -1;
    private static final Logger LOG = Logger.getLogger(Retries.class.getName());

    private final Provider provider;
    private final UpstreamPolicy policy;
    private final GatewayMetrics metrics;
    /** Attempts counted against max_attempts: a free retry of a stale pooled connection is not one. */
    private int attempts = 1;
    /** Keys the provider rejected on this route: each retry with another key is free, at most one per key. */
    private int rejectedKeys;
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

    /**
     * Why no key could be chosen: the provider rejected every one (503, the operator's to fix), or some rest after a
     * rate limit (429 with the seconds until the first is usable again).
     */
    ApiError keysResting() {
        long now = System.nanoTime();
        if (provider.keys().allRejected(now)) {
            return ApiError.upstreamCredentialsRejected(provider.name(), true);
        }
        long nanos = provider.keys().nanosUntilUsable(now);
        return ApiError.upstreamKeysCooling(provider.name(), Math.max(1, (nanos + 999_999_999) / 1_000_000_000));
    }

    /**
     * Whether a response head must be held until its body is whole before deciding: retryable statuses while
     * attempts remain, and every 429, whose body tells a rate limit from an exhausted quota. A 401/403 (the provider
     * rejected the gateway's key) is held to try another key, or to answer it as the gateway's own failure; so is
     * Gemini's 400, to read whether its reason is a bad key. With a fallback left, a retryable status is held even on
     * the last attempt: it may go to the fallback instead.
     */
    boolean holds(int status, boolean fallbackLeft) {
        return status == 429 || status == 401 || status == 403
                || status == 400 && provider.type() == ProviderType.GEMINI
                || RetryPolicy.retryableStatus(status) && (attempts < policy.maxAttempts() || fallbackLeft);
    }

    /**
     * Whether the provider rejected the key the attempt sent: 401, 403, or Gemini's 400 API_KEY_INVALID. Never the
     * client's answer: its gateway key was fine, the gateway's own credential was not.
     */
    boolean rejectsKey(HeldResponse response) {
        int status = response.head().status().code();
        return status == 401 || status == 403
                || status == 400 && provider.type() == ProviderType.GEMINI && RetryPolicy.keyInvalid(response.body());
    }

    /**
     * Whether a held answer nobody retries moves on to a fallback: a retryable one, not an exhausted quota, and a
     * rejected key (another provider has its own).
     */
    boolean fallsBack(HeldResponse response) {
        int status = response.head().status().code();
        return status == 429 ? !RetryPolicy.insufficientQuota(response.body())
                : RetryPolicy.retryableStatus(status) || rejectsKey(response);
    }

    /**
     * A whole held error response: the wait before the next attempt, or {@link #GIVE_UP}. A rejected key rests for
     * {@code key_rejected_cooldown} and another key, if one is ready, is tried at once, without counting an attempt.
     */
    long afterError(HeldResponse response) {
        HttpResponse head = response.head();
        int status = head.status().code();
        if (rejectsKey(response)) {
            keyRejected(status);
            if (ownKey != null || ++rejectedKeys >= provider.keys().size()
                    || provider.keys().nanosUntilUsable(System.nanoTime()) > 0) {
                return GIVE_UP;
            }
            metrics.retry(provider.name());
            return 0;
        }
        if (!RetryPolicy.retryableStatus(status)) {
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

    /**
     * Another attempt after {@code waitNanos}, unless the provider's circuit would refuse it (perhaps opened by this
     * very attempt's failure): then the client gets this attempt's answer, or the exchange moves to another route.
     */
    private long retrying(long waitNanos) {
        if (!provider.breaker().available(System.nanoTime())) {
            return GIVE_UP;
        }
        attempts++;
        metrics.retry(provider.name());
        return waitNanos;
    }

    /**
     * Rests the rejected key (a virtual key's own credential is not the ring's to rest), counts it, and says so once
     * per rest of the key: every tenant of the provider may be turned away while its keys rest.
     */
    private void keyRejected(int status) {
        metrics.keyRejected(provider.name());
        if (keyIndex < 0 || ownKey != null) {
            return;
        }
        long now = System.nanoTime();
        long restNanos = provider.config().keyRejectedCooldown().toNanos();
        boolean newlyResting = provider.keys().reject(keyIndex, now, now + restNanos);
        metrics.keyCooldown(provider.name(), keyIndex, "auth_failed");
        if (newlyResting) {
            LOG.warning("provider '" + provider.name() + "' rejected api_keys[" + keyIndex + "] (HTTP " + status
                    + "): the key rests for " + TimeUnit.NANOSECONDS.toMillis(restNanos)
                    + " ms (key_rejected_cooldown); while every key of the provider rests, its requests get 503"
                    + " upstream_credentials_rejected");
        }
    }

    private void coolKey(long forNanos, String reason) {
        if (keyIndex >= 0) {
            provider.keys().coolDown(keyIndex, System.nanoTime() + forNanos);
            metrics.keyCooldown(provider.name(), keyIndex, reason);
        }
    }
}
