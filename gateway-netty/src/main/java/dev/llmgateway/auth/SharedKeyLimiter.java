package dev.llmgateway.auth;

import dev.llmgateway.config.KeyLimits;
import dev.llmgateway.config.SharedConfig;
import dev.llmgateway.dialect.ApiError;
import dev.llmgateway.exchange.Exchange;
import dev.llmgateway.exchange.Principal;
import dev.llmgateway.shared.KeyCounters;
import dev.llmgateway.shared.Limit;

/**
 * A key's limits kept in shared state ({@code [shared]}): every replica asks the same Redis counters, so the key
 * gets its limits once across the fleet. The answer comes later, on the exchange's own event loop
 * ({@link SharedAdmission}). The per-replica {@link KeyLimiter} beside it is what {@link #admit()} and
 * {@link #finished} use: the decision {@code on_unavailable = "local"} falls back to while Redis cannot answer.
 */
final class SharedKeyLimiter implements Principal.Limiter {
    private final String keyName;
    private final KeyLimits limits;
    private final KeyLimiter local;
    private final KeyCounters counters;
    private final SharedConfig.OnUnavailable onUnavailable;

    SharedKeyLimiter(String keyName, KeyLimits limits, KeyLimiter local, KeyCounters counters,
                     SharedConfig.OnUnavailable onUnavailable) {
        this.keyName = keyName;
        this.limits = limits;
        this.local = local;
        this.counters = counters;
        this.onUnavailable = onUnavailable;
    }

    /** The per-replica decision, as without shared state. */
    @Override
    public ApiError admit() {
        return local.admit();
    }

    /** Ends a request {@link #admit()} admitted per replica. */
    @Override
    public void finished(long usedTokens) {
        local.finished(usedTokens);
    }

    /**
     * Asks the shared state to admit the exchange; on its event loop, now or when Redis answers, the exchange goes
     * on through {@code proceed}, is answered (429; 503 when Redis cannot answer and the policy denies), or ends as
     * cancelled when its client left meanwhile.
     */
    void admit(Exchange exchange, Runnable proceed) {
        new SharedAdmission(this, exchange, proceed).start();
    }

    KeyCounters counters() {
        return counters;
    }

    boolean deniesWhenUnavailable() {
        return onUnavailable == SharedConfig.OnUnavailable.DENY;
    }

    /** The 429 for what Redis refused, worded as the per-replica limiter words it. */
    ApiError refusal(Limit limit, long retryAfterSeconds) {
        return switch (limit) {
            case TOKEN_BUDGET -> KeyLimiter.budgetUsedUp(keyName, limits, retryAfterSeconds);
            case TOKENS_PER_MINUTE -> KeyLimiter.tokensPerMinuteReached(keyName, limits, retryAfterSeconds);
            case CONCURRENCY -> KeyLimiter.tooManyInFlight(keyName, limits);
            case REQUESTS_PER_MINUTE -> KeyLimiter.requestsPerMinuteReached(keyName, limits, retryAfterSeconds);
        };
    }
}
