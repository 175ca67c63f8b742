package dev.llmgateway.tracing;

import java.time.Instant;

/** The wall clock in nanoseconds since the epoch, at the precision the JVM's clock has (microseconds on Linux). */
final class EpochClock {
    private EpochClock() {
    }

    static long nowNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }
}
