package dev.llmgateway.shared;

/**
 * Hears, exactly once and on the request's own event loop, what the shared state decided for one request: admitted
 * (holding {@code slot} when the key has a concurrency limit), refused by one of its limits, or undecided because
 * Redis could not answer (not connected, no answer within {@code timeout}, or an error): then the caller's
 * {@code on_unavailable} policy decides. A call may come at once, inside {@link KeyCounters#admit}, when Redis is
 * known to be away.
 */
public interface Admission {
    /** @param slot the concurrency slot to give back through {@link KeyCounters#finish}; null without a limit */
    void admitted(Slot slot);

    void refused(Limit limit, long retryAfterSeconds);

    void unavailable();
}
