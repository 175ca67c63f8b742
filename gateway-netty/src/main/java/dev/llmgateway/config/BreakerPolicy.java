package dev.llmgateway.config;

import java.time.Duration;

/**
 * A provider's circuit breaker: it opens after {@code failures} failed attempts in a row, or when at least
 * {@code errorRatio} of the attempts in the rolling {@code window} failed once there were {@code minRequests} of
 * them, and stays open for {@code cooldown} before letting one probe through.
 */
public record BreakerPolicy(int failures, double errorRatio, int minRequests, Duration window, Duration cooldown) {
    public static final BreakerPolicy DEFAULT = new BreakerPolicy(5, 0.5, 20, Duration.ofSeconds(30),
            Duration.ofSeconds(30));

    static BreakerPolicy read(ConfigTable t) {
        return new BreakerPolicy(
                (int) t.integer("breaker_failures", DEFAULT.failures, 1, 1_000_000, "an integer >= 1"),
                t.ratio("breaker_error_ratio", DEFAULT.errorRatio),
                (int) t.integer("breaker_min_requests", DEFAULT.minRequests, 1, 1_000_000, "an integer >= 1"),
                t.duration("breaker_window", DEFAULT.window),
                t.duration("breaker_cooldown", DEFAULT.cooldown));
    }
}
