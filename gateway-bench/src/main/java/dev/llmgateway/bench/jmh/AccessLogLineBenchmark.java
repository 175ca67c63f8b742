package dev.llmgateway.bench.jmh;

import dev.llmgateway.accesslog.AccessLog;
import dev.llmgateway.accesslog.ExchangeRecord;
import dev.llmgateway.accesslog.LineBatch;
import dev.llmgateway.accesslog.Outcome;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * What the access log costs an event loop per request: refilling the loop's reused record as {@code Exchange.end}
 * does, then formatting its line into the loop's batch (emptied whenever it would be handed to the writer). Must
 * be 0 B/op.
 */
public class AccessLogLineBenchmark extends AbstractMicrobenchmark {
    /** Where the access log hands a loop's batch to the writer. */
    private static final int HANDOFF_BYTES = 32 * 1024;

    @Param({"JSON", "CONSOLE"})
    public AccessLog.Format format;

    private final ExchangeRecord record = new ExchangeRecord();
    private final LineBatch batch = new LineBatch(2 * HANDOFF_BYTES);
    private long nanos;

    @Setup
    public void setUp() {
        batch.clear();
        nanos = 1_234_567;
    }

    @Benchmark
    public int formatOneLine() {
        // Times change per request, so the number formatting is not the same digits every time.
        nanos += 1_013;
        record.set(1_790_000_000_000L + nanos / 1_000_000, "req_7f3a9c2e4b1d4e6f8a0b2c4d", "bench", "127.0.0.1",
                "POST", "/v1/chat/completions", "chat_completions", "bench", "bench", "up", "bench-model", 200,
                false, -1, nanos, nanos / 40, 25, 30, 0, 238, 1_024, 1, Outcome.COMPLETED, null);
        format.write(record, batch);
        if (batch.length() >= HANDOFF_BYTES) {
            batch.clear();
        }
        return batch.length();
    }
}
