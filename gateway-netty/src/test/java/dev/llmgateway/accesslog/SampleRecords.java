package dev.llmgateway.accesslog;

import java.time.Instant;

/** Builds {@link ExchangeRecord}s for tests: a typical streamed chat completion, with any field changed. */
public final class SampleRecords {
    public static final long START = Instant.parse("2026-11-22T06:00:00Z").toEpochMilli();

    private SampleRecords() {
    }

    public static Builder chat() {
        return new Builder();
    }

    public static final class Builder {
        private long start = START;
        private String requestId = "req_abc";
        private String keyName = "demo";
        private String client = "10.0.0.7";
        private String method = "POST";
        private String uri = "/v1/chat/completions";
        private String endpoint = "chat_completions";
        private String modelLabel = "gpt-4o";
        private String requestedModel = "gpt-4o";
        private String provider = "openai";
        private String upstreamModel = "gpt-4o-2024-08-06";
        private int status = 200;
        private boolean stream = true;
        private long ttftNanos = 45_000_000;
        private long durationNanos = 123_400_000;
        private long overheadNanos = 35_000;
        private long inputTokens = 12;
        private long outputTokens = 34;
        private long cachedInputTokens = -1;
        private long bytesIn = 210;
        private long bytesOut = 4_096;
        private int attempts = 1;
        private Outcome outcome = Outcome.COMPLETED;
        private String errorType;
        private long costPicos = -1;
        private String usageSource;
        private long cacheWriteTokens = -1;
        private long reasoningTokens = -1;
        private String traceId;

        public Builder requestId(String v) { requestId = v; return this; }
        public Builder keyName(String v) { keyName = v; return this; }
        public Builder uri(String v) { uri = v; return this; }
        public Builder endpoint(String v) { endpoint = v; return this; }
        public Builder modelLabel(String v) { modelLabel = v; return this; }
        public Builder requestedModel(String v) { requestedModel = v; return this; }
        public Builder provider(String v) { provider = v; return this; }
        public Builder upstreamModel(String v) { upstreamModel = v; return this; }
        public Builder status(int v) { status = v; return this; }
        public Builder stream(boolean v) { stream = v; return this; }
        public Builder ttftNanos(long v) { ttftNanos = v; return this; }
        public Builder durationNanos(long v) { durationNanos = v; return this; }
        public Builder overheadNanos(long v) { overheadNanos = v; return this; }
        public Builder tokens(long in, long out, long cached) {
            inputTokens = in;
            outputTokens = out;
            cachedInputTokens = cached;
            return this;
        }
        public Builder attempts(int v) { attempts = v; return this; }
        public Builder outcome(Outcome v) { outcome = v; return this; }
        public Builder errorType(String v) { errorType = v; return this; }
        public Builder cost(long picos, String source, long cacheWrite, long reasoning) {
            costPicos = picos;
            usageSource = source;
            cacheWriteTokens = cacheWrite;
            reasoningTokens = reasoning;
            return this;
        }
        public Builder traceId(String v) { traceId = v; return this; }

        /** A gateway-made rejection before routing: nothing past the request line is known. */
        public Builder rejectedBeforeRouting(int status, String errorType) {
            keyName = null;
            endpoint = null;
            modelLabel = null;
            requestedModel = null;
            provider = null;
            upstreamModel = null;
            stream = false;
            ttftNanos = -1;
            overheadNanos = -1;
            attempts = 0;
            this.status = status;
            this.errorType = errorType;
            outcome = Outcome.REJECTED;
            return tokens(-1, -1, -1);
        }

        public ExchangeRecord build() {
            return new ExchangeRecord().set(start, requestId, keyName, client, method, uri, endpoint, modelLabel,
                    requestedModel, provider, upstreamModel, status, stream, ttftNanos, durationNanos,
                    overheadNanos, inputTokens, outputTokens, cachedInputTokens, bytesIn, bytesOut, attempts,
                    outcome, errorType).cost(costPicos, usageSource, cacheWriteTokens, reasoningTokens).traceId(traceId);
        }
    }
}
