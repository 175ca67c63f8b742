package dev.llmgateway.exchange;

import dev.llmgateway.accesslog.ExchangeRecord;
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

    /** Must not block: the record goes into bounded queues or lock-free counters. */
    void finished(ExchangeRecord record);

    /** A body on its way (direction {@code request} or {@code response}), for the optional debug capture. */
    default void capture(String requestId, String direction, ByteBuf body) {
    }
}
