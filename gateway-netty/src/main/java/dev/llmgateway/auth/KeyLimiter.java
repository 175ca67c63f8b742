package dev.llmgateway.auth;

import dev.llmgateway.config.KeyLimits;
import dev.llmgateway.dialect.ApiError;
import dev.llmgateway.exchange.Principal;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.function.LongSupplier;

/**
 * One gateway key's limits, held against its {@link KeyUsage}, per replica and lock-free: requests and tokens per
 * sliding minute, requests in flight, and tokens used in the current UTC day or month. The limiter belongs to a
 * config snapshot; the usage outlives it (a reload carries it over by key name). Under contention a check and the
 * count that follows it are not one atomic step, so a burst may pass a limit by the few requests that raced it;
 * that is the price of no lock.
 */
public final class KeyLimiter implements Principal.Limiter {
    private final String keyName;
    private final KeyLimits limits;
    private final KeyUsage usage;

    KeyLimiter(String keyName, KeyLimits limits, KeyUsage usage) {
        this.keyName = keyName;
        this.limits = limits;
        this.usage = usage;
    }

    /** Tests drive both clocks. */
    KeyLimiter(String keyName, KeyLimits limits, LongSupplier nanoTime, LongSupplier epochMillis) {
        this(keyName, limits, new KeyUsage(nanoTime, epochMillis));
    }

    KeyUsage usage() {
        return usage;
    }

    /**
     * Admits one request or says which limit refuses it. An admitted request holds a concurrency slot until
     * {@link #finished} is called for it, exactly once.
     *
     * @return null when admitted, else the 429 to send
     */
    @Override
    public ApiError admit() {
        long second = usage.second();
        if (limits.tokenBudget() > 0) {
            long millis = usage.epochMillis();
            if (usage.budgetUsed(monthly(), millis) >= limits.tokenBudget()) {
                return budgetUsedUp(keyName, limits, secondsUntilNextPeriod(millis));
            }
        }
        if (limits.tokensPerMinute() > 0 && usage.tokens.total(second) >= limits.tokensPerMinute()) {
            return tokensPerMinuteReached(keyName, limits,
                    usage.tokens.secondsUntilBelow(limits.tokensPerMinute(), second));
        }
        int inFlight = usage.inFlight.incrementAndGet();
        if (limits.maxConcurrent() > 0 && inFlight > limits.maxConcurrent()) {
            usage.inFlight.decrementAndGet();
            return tooManyInFlight(keyName, limits);
        }
        if (limits.requestsPerMinute() > 0 && usage.requests.total(second) >= limits.requestsPerMinute()) {
            usage.inFlight.decrementAndGet();
            return requestsPerMinuteReached(keyName, limits,
                    usage.requests.secondsUntilBelow(limits.requestsPerMinute(), second));
        }
        usage.requests.add(second, 1);
        return null;
    }

    static ApiError budgetUsedUp(String keyName, KeyLimits limits, long retryAfterSeconds) {
        return ApiError.keyRateLimited("tokens", "The token budget of key '" + keyName + "' ("
                + limits.tokenBudget() + " per " + limits.budgetPeriod().name().toLowerCase()
                + ", UTC) is used up", retryAfterSeconds);
    }

    static ApiError tokensPerMinuteReached(String keyName, KeyLimits limits, long retryAfterSeconds) {
        return ApiError.keyRateLimited("tokens", "Key '" + keyName + "' reached its limit of "
                + limits.tokensPerMinute() + " tokens per minute", retryAfterSeconds);
    }

    static ApiError tooManyInFlight(String keyName, KeyLimits limits) {
        // Nothing says when a request in flight ends; a second is a fair first wait.
        return ApiError.keyRateLimited("requests", "Key '" + keyName + "' already has "
                + limits.maxConcurrent() + " requests in flight", 1);
    }

    static ApiError requestsPerMinuteReached(String keyName, KeyLimits limits, long retryAfterSeconds) {
        return ApiError.keyRateLimited("requests", "Key '" + keyName + "' reached its limit of "
                + limits.requestsPerMinute() + " requests per minute", retryAfterSeconds);
    }

    /** An admitted request ended having used {@code tokens} (input + output): frees its slot, charges its tokens. */
    @Override
    public void finished(long usedTokens) {
        usage.inFlight.decrementAndGet();
        if (usedTokens > 0) {
            usage.charge(usedTokens);
        }
    }

    private boolean monthly() {
        return limits.budgetPeriod() == KeyLimits.BudgetPeriod.MONTH;
    }

    private long secondsUntilNextPeriod(long millis) {
        LocalDate day = KeyUsage.day(millis);
        LocalDate next = monthly() ? day.withDayOfMonth(1).plusMonths(1) : day.plusDays(1);
        long nextMillis = next.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
        return Math.max(1, (nextMillis - millis + 999) / 1000);
    }
}
