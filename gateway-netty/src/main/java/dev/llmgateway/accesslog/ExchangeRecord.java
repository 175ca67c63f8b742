package dev.llmgateway.accesslog;

import java.util.Objects;

/**
 * Everything known about one finished request; built once per request on the event loop, then handed to metrics
 * and the access log. Immutable and free of buffers, so it may cross threads.
 *
 * <p>Conventions: a nullable string is {@code null} when the request never got that far (no key, no route, no
 * upstream); a count or time is {@code -1} when unknown.
 *
 * @param keyName                the API key's configured name, never the secret; {@code null} when unauthenticated
 * @param endpoint               e.g. {@code chat_completions}; {@code null} for unknown paths
 * @param modelLabel             the configured alias or {@code other}; {@code null} before routing
 * @param timeToFirstTokenNanos  {@code -1} when no token reached the client
 * @param overheadNanos          time spent in the gateway itself; {@code -1} when unknown
 * @param inputTokens            {@code -1} when unknown (as are the other token counts)
 * @param errorType              e.g. {@code upstream_unreachable}; {@code null} when the request succeeded
 */
public record ExchangeRecord(
        long startEpochMillis, String requestId, String keyName, String clientAddress,
        String method, String path, String endpoint,
        String modelLabel, String requestedModel,
        String provider, String upstreamModel,
        int status, boolean stream, long timeToFirstTokenNanos, long durationNanos, long overheadNanos,
        long inputTokens, long outputTokens, long cachedInputTokens,
        long bytesIn, long bytesOut, int attempts, Outcome outcome, String errorType) {

    public ExchangeRecord {
        // Known for every request that reached HTTP decoding; a null here is a bug at the call site, caught early
        // rather than as a NullPointerException on the log writer thread.
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(outcome, "outcome");
    }
}
