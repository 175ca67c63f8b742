package dev.llmgateway.exchange;

import dev.llmgateway.accesslog.ExchangeRecord;
import dev.llmgateway.tracing.Tracing;
import io.netty.buffer.ByteBuf;

/** Hears each counted exchange begin and end (metrics, access log); called on the exchange's event loop. */
public interface ExchangeObserver {
    /** For requests that are not counted: health checks and metrics scrapes. */
    ExchangeObserver NONE = new ExchangeObserver() {
        @Override
        public void started() {
        }

        @Override
        public void finished(ExchangeRecord record) {
        }
    };

    void started();

    /**
     * Must not block: the record goes into lock-free counters and the access log's batch. The record is the event
     * loop's reused one, refilled by the next exchange: read it during this call and never keep it.
     */
    void finished(ExchangeRecord record);

    /**
     * Like {@link #finished}, for a request refused at the edge (malformed, too large, too slow): counted like any
     * request, while its log line may be dropped so that a flood of refusals cannot flood the log.
     */
    default void refused(ExchangeRecord record) {
        finished(record);
    }

    /** Whether {@link #capture} keeps anything: a caller can skip making a view of bytes nobody reads. */
    default boolean capturing() {
        return false;
    }

    /** A body on its way (direction {@code request} or {@code response}), for the optional debug capture. */
    default void capture(String requestId, String direction, ByteBuf body) {
    }

    /** What makes each counted exchange's trace: {@link Tracing#OFF} unless tracing is on. */
    default Tracing tracing() {
        return Tracing.OFF;
    }
}
