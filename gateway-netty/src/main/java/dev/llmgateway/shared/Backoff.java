package dev.llmgateway.shared;

import java.util.concurrent.TimeUnit;

/**
 * The wait before the next connection attempt: 50 ms, doubling to 1 s, back to 50 ms once connected; so a Redis
 * that returns is used again within about a second. Loop-confined.
 */
final class Backoff {
    private static final long FIRST_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final long MAX_NANOS = TimeUnit.SECONDS.toNanos(1);

    private long nextNanos = FIRST_NANOS;

    /** The wait before this attempt; the next one waits twice as long, up to the maximum. */
    long nextNanos() {
        long wait = nextNanos;
        nextNanos = Math.min(MAX_NANOS, nextNanos * 2);
        return wait;
    }

    void reset() {
        nextNanos = FIRST_NANOS;
    }
}
