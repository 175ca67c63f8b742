package dev.llmgateway.testutil;

import dev.llmgateway.accesslog.ExchangeRecord;
import dev.llmgateway.exchange.ExchangeObserver;

import java.util.ArrayList;
import java.util.List;

/**
 * Keeps each finished exchange's record, as metrics and the access log would get it: a copy, since the gateway
 * refills one record per event loop.
 */
public final class RecordingObserver implements ExchangeObserver {
    private final List<ExchangeRecord> finished = new ArrayList<>();
    private int started;

    @Override
    public void started() {
        started++;
    }

    @Override
    public void finished(ExchangeRecord r) {
        finished.add(new ExchangeRecord().set(r.startEpochMillis(), r.requestId(), r.keyName(), r.clientAddress(),
                r.method(), r.uri(), r.endpoint(), r.modelLabel(), r.requestedModel(), r.provider(),
                r.upstreamModel(), r.status(), r.stream(), r.timeToFirstTokenNanos(), r.durationNanos(),
                r.overheadNanos(), r.inputTokens(), r.outputTokens(), r.cachedInputTokens(), r.bytesIn(),
                r.bytesOut(), r.attempts(), r.outcome(), r.errorType()));
    }

    /** Exchanges begun so far, ended or not. */
    public int startedCount() {
        return started;
    }

    public List<ExchangeRecord> finished() {
        return finished;
    }

    /** The one finished record; fails unless exactly one exchange ended. */
    public ExchangeRecord only() {
        if (finished.size() != 1) {
            throw new AssertionError("expected one finished exchange, got " + finished);
        }
        return finished.get(0);
    }
}
