package dev.llmgateway.tracing;

import dev.llmgateway.config.TracingConfig.Sampler;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** W3C {@code traceparent} read and written as the W3C propagator does, and the samplers' decisions. */
class TraceContextTest {
    private static final String VALID = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    @Test
    void aValidTraceparentIsReadWhole() {
        assertTrue(TraceIds.valid(VALID));
        assertEquals(0x4bf92f3577b34da6L, TraceIds.traceIdHigh(VALID));
        assertEquals(0xa3ce929d0e0e4736L, TraceIds.traceIdLow(VALID));
        assertEquals(0x00f067aa0ba902b7L, TraceIds.parentSpanId(VALID));
        assertTrue(TraceIds.sampled(VALID));
        assertFalse(TraceIds.sampled(VALID.substring(0, 53) + "02"), "only the sampled bit counts");
        assertTrue(TraceIds.valid("01" + VALID.substring(2) + "-later-fields"), "a later version may add fields");
    }

    @Test
    void anInvalidTraceparentIsIgnored() {
        for (String invalid : new String[] {null, "", VALID.substring(0, 54), VALID + "-x",
                "ff" + VALID.substring(2), "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
                "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", VALID.toUpperCase(),
                VALID.replace('-', '_'), "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01",
                "01" + VALID.substring(2) + "x"}) {
            assertFalse(TraceIds.valid(invalid), String.valueOf(invalid));
        }
    }

    @Test
    void idsAreWrittenAsLowerCaseHex() {
        assertEquals(VALID, TraceIds.traceparent(0x4bf92f3577b34da6L, 0xa3ce929d0e0e4736L, 0x00f067aa0ba902b7L,
                true).toString());
        assertEquals("00-00000000000000000000000000000001-ffffffffffffffff-00",
                TraceIds.traceparent(0, 1, -1, false).toString());
        assertEquals("4bf92f3577b34da6a3ce929d0e0e4736", TraceIds.traceId(0x4bf92f3577b34da6L,
                0xa3ce929d0e0e4736L));
    }

    @Test
    void parentBasedSamplersFollowTheParentAndDecideNewTracesByTheirRoot() {
        TraceSampler none = new TraceSampler(Sampler.PARENTBASED_TRACEIDRATIO, 0.0);
        assertTrue(none.sample(true, true, 5), "a sampled parent is followed");
        assertFalse(none.sample(true, false, 5), "so is an unsampled one");
        assertFalse(none.sample(false, false, 5), "a new trace at ratio 0");
        assertTrue(new TraceSampler(Sampler.PARENTBASED_ALWAYS_ON, 0).sample(false, false, 5));
        assertFalse(new TraceSampler(Sampler.PARENTBASED_ALWAYS_ON, 0).sample(true, false, 5));
        assertFalse(new TraceSampler(Sampler.PARENTBASED_ALWAYS_OFF, 0).sample(false, false, 5));
        assertTrue(new TraceSampler(Sampler.PARENTBASED_ALWAYS_OFF, 0).sample(true, true, 5));
        assertTrue(new TraceSampler(Sampler.ALWAYS_ON, 0).sample(true, false, 5), "not parent-based");
        assertFalse(new TraceSampler(Sampler.ALWAYS_OFF, 0).sample(true, true, 5));
    }

    @Test
    void theRatioSamplerKeepsTheTraceIdsBelowItsBound() {
        TraceSampler half = new TraceSampler(Sampler.TRACEIDRATIO, 0.5);
        long bound = (long) (0.5 * Long.MAX_VALUE);
        assertTrue(half.sample(false, false, bound - 1));
        assertTrue(half.sample(false, false, -(bound - 1)), "by the absolute value");
        assertFalse(half.sample(false, false, bound));
        assertFalse(half.sample(true, true, bound), "whatever the parent says");
        assertTrue(new TraceSampler(Sampler.TRACEIDRATIO, 1.0).sample(false, false, Long.MAX_VALUE - 1));
        assertFalse(new TraceSampler(Sampler.TRACEIDRATIO, 0.0).sample(false, false, 0));
        int kept = 0;
        for (int i = 0; i < 10_000; i++) {
            kept += half.sample(false, false, TraceIds.random()) ? 1 : 0;
        }
        assertTrue(kept > 4_500 && kept < 5_500, kept + " of 10,000 random trace ids kept at 0.5");
    }
}
