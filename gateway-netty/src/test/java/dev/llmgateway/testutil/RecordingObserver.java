package dev.llmgateway.testutil;

import dev.llmgateway.accesslog.ExchangeRecord;
import dev.llmgateway.exchange.ExchangeObserver;

import java.util.ArrayList;
import java.util.List;

/** Keeps each finished exchange's record, as metrics and the access log would get it. */
public final class RecordingObserver implements ExchangeObserver {
    private final List<ExchangeRecord> finished = new ArrayList<>();
    private int started;

    @Override
    public void started() {
        started++;
    }

    @Override
    public void finished(ExchangeRecord record) {
        finished.add(record);
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
