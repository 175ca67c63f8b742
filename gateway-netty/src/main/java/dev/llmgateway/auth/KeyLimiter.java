package dev.llmgateway.auth;

import dev.llmgateway.config.KeyLimits;
import dev.llmgateway.dialect.ApiError;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * One gateway key's limits and their live state, per replica and lock-free: requests and tokens per sliding
 * minute, requests in flight, and tokens used in the current UTC day or month. Built with the key table, so its
 * counters live as long as the config snapshot. Under contention a check and the count that follows it are not
 * one atomic step, so a burst may pass a limit by the few requests that raced it; that is the price of no lock.
 */
public final class KeyLimiter {
    /** The budget long holds the period number (days or months since 1970) above the used tokens' 44 bits. */
    private static final int USED_BITS = 44;
    private static final long USED_MASK = (1L << USED_BITS) - 1;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final String keyName;
    private final KeyLimits limits;
    private final LongSupplier nanoTime;
    private final LongSupplier epochMillis;
    private final long startNanos;
    private final SlidingWindow requests = new SlidingWindow();
    private final SlidingWindow tokens = new SlidingWindow();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLong budget = new AtomicLong();

    KeyLimiter(String keyName, KeyLimits limits) {
        this(keyName, limits, System::nanoTime, System::currentTimeMillis);
    }

    /** Tests drive both clocks. */
    KeyLimiter(String keyName, KeyLimits limits, LongSupplier nanoTime, LongSupplier epochMillis) {
        this.keyName = keyName;
        this.limits = limits;
        this.nanoTime = nanoTime;
        this.epochMillis = epochMillis;
        this.startNanos = nanoTime.getAsLong();
    }

    /**
     * Admits one request or says which limit refuses it. An admitted request holds a concurrency slot until
     * {@link #finished} is called for it, exactly once.
     *
     * @return null when admitted, else the 429 to send
     */
    public ApiError admit() {
        long second = second();
        if (limits.tokenBudget() > 0) {
            long millis = epochMillis.getAsLong();
            if (used(budget.get(), period(millis)) >= limits.tokenBudget()) {
                return ApiError.keyRateLimited("tokens", "The token budget of key '" + keyName + "' ("
                        + limits.tokenBudget() + " per " + limits.budgetPeriod().name().toLowerCase()
                        + ", UTC) is used up", secondsUntilNextPeriod(millis));
            }
        }
        if (limits.tokensPerMinute() > 0 && tokens.total(second) >= limits.tokensPerMinute()) {
            return ApiError.keyRateLimited("tokens", "Key '" + keyName + "' reached its limit of "
                    + limits.tokensPerMinute() + " tokens per minute",
                    tokens.secondsUntilBelow(limits.tokensPerMinute(), second));
        }
        if (limits.maxConcurrent() > 0 && inFlight.incrementAndGet() > limits.maxConcurrent()) {
            inFlight.decrementAndGet();
            // Nothing says when a request in flight ends; a second is a fair first wait.
            return ApiError.keyRateLimited("requests", "Key '" + keyName + "' already has "
                    + limits.maxConcurrent() + " requests in flight", 1);
        }
        if (limits.requestsPerMinute() > 0) {
            if (requests.total(second) >= limits.requestsPerMinute()) {
                releaseSlot();
                return ApiError.keyRateLimited("requests", "Key '" + keyName + "' reached its limit of "
                        + limits.requestsPerMinute() + " requests per minute",
                        requests.secondsUntilBelow(limits.requestsPerMinute(), second));
            }
            requests.add(second, 1);
        }
        return null;
    }

    /** An admitted request ended having used {@code tokens} (input + output): frees its slot, charges its tokens. */
    public void finished(long usedTokens) {
        releaseSlot();
        if (usedTokens <= 0) {
            return;
        }
        if (limits.tokensPerMinute() > 0) {
            tokens.add(second(), usedTokens);
        }
        if (limits.tokenBudget() > 0) {
            long period = period(epochMillis.getAsLong());
            budget.getAndUpdate(old -> (period << USED_BITS) | Math.min(USED_MASK, used(old, period) + usedTokens));
        }
    }

    private void releaseSlot() {
        if (limits.maxConcurrent() > 0) {
            inFlight.decrementAndGet();
        }
    }

    private long second() {
        return (nanoTime.getAsLong() - startNanos) / NANOS_PER_SECOND;
    }

    /** Tokens used in {@code period}: a count from an earlier period is zero. */
    private static long used(long packed, long period) {
        return (packed >>> USED_BITS) == period ? packed & USED_MASK : 0;
    }

    private long period(long millis) {
        LocalDate day = LocalDate.ofEpochDay(Math.floorDiv(millis, 86_400_000L));
        return limits.budgetPeriod() == KeyLimits.BudgetPeriod.DAY ? day.toEpochDay()
                : (day.getYear() - 1970L) * 12 + day.getMonthValue() - 1;
    }

    private long secondsUntilNextPeriod(long millis) {
        LocalDate day = LocalDate.ofEpochDay(Math.floorDiv(millis, 86_400_000L));
        LocalDate next = limits.budgetPeriod() == KeyLimits.BudgetPeriod.DAY ? day.plusDays(1)
                : day.withDayOfMonth(1).plusMonths(1);
        long nextMillis = next.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
        return Math.max(1, (nextMillis - millis + 999) / 1000);
    }
}
