package dev.llmgateway.auth;

import java.time.LocalDate;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * What one gateway key has used, lock-free: requests and tokens per sliding minute, requests in flight, tokens in
 * the current UTC day and month. Counted whatever the key's limits are, so that limits changed by a config reload
 * apply to the traffic already seen; a reload hands the same usage, by key name, to the key's next
 * {@link KeyLimiter} (in-flight requests release their slots here through the limiter that admitted them).
 */
final class KeyUsage {
    /** A budget long holds the period number (days or months since 1970) above the used tokens' 44 bits. */
    private static final int USED_BITS = 44;
    private static final long USED_MASK = (1L << USED_BITS) - 1;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    final SlidingWindow requests = new SlidingWindow();
    final SlidingWindow tokens = new SlidingWindow();
    final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLong dayTokens = new AtomicLong();
    private final AtomicLong monthTokens = new AtomicLong();
    private final LongSupplier nanoTime;
    private final LongSupplier epochMillis;
    private final long startNanos;

    KeyUsage(LongSupplier nanoTime, LongSupplier epochMillis) {
        this.nanoTime = nanoTime;
        this.epochMillis = epochMillis;
        this.startNanos = nanoTime.getAsLong();
    }

    /** Seconds since this usage began counting: the sliding windows' clock. */
    long second() {
        return (nanoTime.getAsLong() - startNanos) / NANOS_PER_SECOND;
    }

    long epochMillis() {
        return epochMillis.getAsLong();
    }

    /** Charges tokens to the minute window and to the current day and month. */
    void charge(long usedTokens) {
        tokens.add(second(), usedTokens);
        LocalDate day = day(epochMillis.getAsLong());
        add(dayTokens, day.toEpochDay(), usedTokens);
        add(monthTokens, monthNumber(day), usedTokens);
    }

    /** Tokens used in the UTC day ({@code monthly} false) or month that holds {@code millis}. */
    long budgetUsed(boolean monthly, long millis) {
        LocalDate day = day(millis);
        return monthly ? used(monthTokens.get(), monthNumber(day)) : used(dayTokens.get(), day.toEpochDay());
    }

    static LocalDate day(long millis) {
        return LocalDate.ofEpochDay(Math.floorDiv(millis, 86_400_000L));
    }

    private static long monthNumber(LocalDate day) {
        return (day.getYear() - 1970L) * 12 + day.getMonthValue() - 1;
    }

    /** A compare-and-set loop rather than getAndUpdate: no capturing lambda allocated per finished request. */
    private static void add(AtomicLong budget, long period, long usedTokens) {
        long old;
        long next;
        do {
            old = budget.get();
            next = (period << USED_BITS) | Math.min(USED_MASK, used(old, period) + usedTokens);
        } while (!budget.compareAndSet(old, next));
    }

    /** Tokens used in {@code period}: a count from an earlier period is zero. */
    private static long used(long packed, long period) {
        return (packed >>> USED_BITS) == period ? packed & USED_MASK : 0;
    }
}
