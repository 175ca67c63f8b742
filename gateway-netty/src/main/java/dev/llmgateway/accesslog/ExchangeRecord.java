package dev.llmgateway.accesslog;

import java.util.Objects;

/**
 * Everything known about one finished request, as metrics and the access log read it. The exchange fills one
 * record per event loop and reuses it for every request that loop finishes, so a finished request costs no
 * allocation: a reader uses it during the call it is handed in, on that thread, and never keeps it.
 *
 * <p>Conventions: a nullable string is {@code null} when the request never got that far (no key, no route, no
 * upstream); a count or time is {@code -1} when unknown.
 */
public final class ExchangeRecord {
    private long startEpochMillis;
    private String requestId;
    private String keyName;
    private String clientAddress;
    private String method;
    private String uri;
    private String endpoint;
    private String modelLabel;
    private String requestedModel;
    private String provider;
    private String upstreamModel;
    private int status;
    private boolean stream;
    private long timeToFirstTokenNanos;
    private long durationNanos;
    private long overheadNanos;
    private long inputTokens;
    private long outputTokens;
    private long cachedInputTokens;
    private long bytesIn;
    private long bytesOut;
    private int attempts;
    private Outcome outcome;
    private String errorType;
    private long costPicos;
    private String usageSource;
    private long cacheWriteTokens;
    private long reasoningTokens;
    private String traceId;

    /**
     * Replaces every value.
     *
     * @param keyName                the API key's configured name, never the secret; {@code null} when unauthenticated
     * @param uri                    the request target; the log shows it without its query
     * @param endpoint               e.g. {@code chat_completions}; {@code null} for unknown paths
     * @param modelLabel             the configured alias or {@code other}; {@code null} before routing
     * @param timeToFirstTokenNanos  {@code -1} when no token reached the client
     * @param overheadNanos          time spent in the gateway itself; {@code -1} when unknown
     * @param inputTokens            {@code -1} when unknown (as are the other token counts)
     * @param errorType              e.g. {@code upstream_unreachable}; {@code null} when the request succeeded
     * @return this record
     */
    public ExchangeRecord set(
            long startEpochMillis, String requestId, String keyName, String clientAddress,
            String method, String uri, String endpoint,
            String modelLabel, String requestedModel,
            String provider, String upstreamModel,
            int status, boolean stream, long timeToFirstTokenNanos, long durationNanos, long overheadNanos,
            long inputTokens, long outputTokens, long cachedInputTokens,
            long bytesIn, long bytesOut, int attempts, Outcome outcome, String errorType) {
        // Known for every request that reached HTTP decoding; a null here is a bug at the call site, caught at
        // once rather than as a broken log line.
        this.requestId = Objects.requireNonNull(requestId, "requestId");
        this.method = Objects.requireNonNull(method, "method");
        this.uri = Objects.requireNonNull(uri, "uri");
        this.outcome = Objects.requireNonNull(outcome, "outcome");
        this.startEpochMillis = startEpochMillis;
        this.keyName = keyName;
        this.clientAddress = clientAddress;
        this.endpoint = endpoint;
        this.modelLabel = modelLabel;
        this.requestedModel = requestedModel;
        this.provider = provider;
        this.upstreamModel = upstreamModel;
        this.status = status;
        this.stream = stream;
        this.timeToFirstTokenNanos = timeToFirstTokenNanos;
        this.durationNanos = durationNanos;
        this.overheadNanos = overheadNanos;
        this.inputTokens = inputTokens;
        this.outputTokens = outputTokens;
        this.cachedInputTokens = cachedInputTokens;
        this.bytesIn = bytesIn;
        this.bytesOut = bytesOut;
        this.attempts = attempts;
        this.errorType = errorType;
        this.costPicos = -1;
        this.usageSource = null;
        this.cacheWriteTokens = -1;
        this.reasoningTokens = -1;
        this.traceId = null;
        return this;
    }

    /** The request's trace id (32 hex digits) when tracing is on; {@code null} otherwise. Returns this record. */
    public ExchangeRecord traceId(String traceId) {
        this.traceId = traceId;
        return this;
    }

    /**
     * Sets what the request cost, after {@link #set}.
     *
     * @param costPicos   in picodollars (10^-12 USD); -1 when the model has no price or the request no route
     * @param usageSource {@code provider} or {@code streamed} (estimated from a stream the provider did not count
     *                    to its end); null when there was no usage
     * @return this record
     */
    public ExchangeRecord cost(long costPicos, String usageSource, long cacheWriteTokens, long reasoningTokens) {
        this.costPicos = costPicos;
        this.usageSource = usageSource;
        this.cacheWriteTokens = cacheWriteTokens;
        this.reasoningTokens = reasoningTokens;
        return this;
    }

    public long costPicos() {
        return costPicos;
    }

    public String usageSource() {
        return usageSource;
    }

    public long cacheWriteTokens() {
        return cacheWriteTokens;
    }

    public long reasoningTokens() {
        return reasoningTokens;
    }

    public long startEpochMillis() {
        return startEpochMillis;
    }

    public String requestId() {
        return requestId;
    }

    public String keyName() {
        return keyName;
    }

    public String clientAddress() {
        return clientAddress;
    }

    public String method() {
        return method;
    }

    public String uri() {
        return uri;
    }

    /** Where the path ends in {@link #uri()}: at its query, if it has one. */
    int pathEnd() {
        int query = uri.indexOf('?');
        return query < 0 ? uri.length() : query;
    }

    public String endpoint() {
        return endpoint;
    }

    public String modelLabel() {
        return modelLabel;
    }

    public String requestedModel() {
        return requestedModel;
    }

    public String provider() {
        return provider;
    }

    public String upstreamModel() {
        return upstreamModel;
    }

    public int status() {
        return status;
    }

    public boolean stream() {
        return stream;
    }

    public long timeToFirstTokenNanos() {
        return timeToFirstTokenNanos;
    }

    public long durationNanos() {
        return durationNanos;
    }

    public long overheadNanos() {
        return overheadNanos;
    }

    public long inputTokens() {
        return inputTokens;
    }

    public long outputTokens() {
        return outputTokens;
    }

    public long cachedInputTokens() {
        return cachedInputTokens;
    }

    public long bytesIn() {
        return bytesIn;
    }

    public long bytesOut() {
        return bytesOut;
    }

    public int attempts() {
        return attempts;
    }

    public Outcome outcome() {
        return outcome;
    }

    public String errorType() {
        return errorType;
    }

    public String traceId() {
        return traceId;
    }
}
