package dev.llmgateway.accesslog;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ExchangeRecordTest {
    @Test
    void fieldsKnownForEveryRequestAreRequired() {
        assertThrows(NullPointerException.class, () -> SampleRecords.chat().requestId(null).build());
        assertThrows(NullPointerException.class, () -> SampleRecords.chat().outcome(null).build());
    }

    @Test
    void fieldsUnknownBeforeRoutingMayBeNull() {
        ExchangeRecord r = SampleRecords.chat().rejectedBeforeRouting(401, "invalid_api_key").build();
        assertEquals(null, r.keyName());
        assertEquals(null, r.modelLabel());
        assertEquals(Outcome.REJECTED, r.outcome());
    }

    @Test
    void refillingTheLoopsRecordForgetsThePreviousTraceId() {
        ExchangeRecord record = SampleRecords.chat().traceId("4bf92f3577b34da6a3ce929d0e0e4736").build();

        record.set(1L, "req_next", null, "10.0.0.8", "GET", "/v1/models", "models", null, null, null, null, 200,
                false, -1, 1_000, -1, -1, -1, -1, 0, 10, 0, Outcome.COMPLETED, null);

        assertEquals(null, record.traceId(), "an untraced request's line says no trace");
    }

    @Test
    void outcomeLabelsAreLowerCaseNames() {
        assertEquals("completed", Outcome.COMPLETED.label());
        assertEquals("cancelled_by_client", Outcome.CANCELLED_BY_CLIENT.label());
        assertEquals("upstream_error", Outcome.UPSTREAM_ERROR.label());
        assertEquals("timeout", Outcome.TIMEOUT.label());
        assertEquals("rejected", Outcome.REJECTED.label());
    }
}
