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
    void outcomeLabelsAreLowerCaseNames() {
        assertEquals("completed", Outcome.COMPLETED.label());
        assertEquals("cancelled_by_client", Outcome.CANCELLED_BY_CLIENT.label());
        assertEquals("upstream_error", Outcome.UPSTREAM_ERROR.label());
        assertEquals("timeout", Outcome.TIMEOUT.label());
        assertEquals("rejected", Outcome.REJECTED.label());
    }
}
