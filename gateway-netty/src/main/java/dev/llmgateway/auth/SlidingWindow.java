package dev.llmgateway.auth;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A count over the last 60 seconds, lock-free: a ring of per-second buckets. Each bucket is one long holding the
 * second it counts (high 32 bits) and the count (low 32 bits), so a bucket from a minute ago is replaced by the
 * same compare-and-set that adds to it; no lock, no separate reset that could race an add.
 */
final class SlidingWindow {
    static final int SECONDS = 60;
    private static final long COUNT_MASK = 0xFFFF_FFFFL;

    private final AtomicLongArray buckets = new AtomicLongArray(SECONDS);

    /** Adds {@code amount} to second {@code second} (a count of seconds since the limiter's start). */
    void add(long second, long amount) {
        int i = (int) (second % SECONDS);
        while (true) {
            long old = buckets.get(i);
            long count = (old >>> 32) == second ? old & COUNT_MASK : 0;
            long next = (second << 32) | Math.min(COUNT_MASK, count + amount);
            if (buckets.compareAndSet(i, old, next)) {
                return;
            }
        }
    }

    /** The total of the 60 seconds ending with {@code second}. */
    long total(long second) {
        long total = 0;
        for (long s = second - SECONDS + 1; s <= second; s++) {
            total += count(s);
        }
        return total;
    }

    /** Whole seconds, at least 1, until the window's total drops below {@code limit} as old seconds leave it. */
    long secondsUntilBelow(long limit, long second) {
        long total = total(second);
        for (long s = second - SECONDS + 1; s <= second; s++) {
            total -= count(s);
            if (total < limit) {
                return Math.max(1, s + SECONDS - second);
            }
        }
        return SECONDS;
    }

    private long count(long second) {
        if (second < 0) {
            return 0;
        }
        long bucket = buckets.get((int) (second % SECONDS));
        return (bucket >>> 32) == second ? bucket & COUNT_MASK : 0;
    }
}
