package dev.llmgateway.upstream;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KeyRingTest {
    private static final long NOW = 1_000_000_000L;

    @Test
    void rotatesRoundRobinSkippingRestingKeys() {
        KeyRing ring = new KeyRing(List.of("a", "b", "c"));
        ring.coolDown(1, NOW + 10);

        assertEquals(List.of(0, 2, 2, 0), List.of(ring.next(NOW), ring.next(NOW), ring.next(NOW), ring.next(NOW)));
        assertEquals(1, ring.next(NOW + 10), "usable again once its rest is over");
    }

    @Test
    void everyKeyRestingIsReportedWithTheWaitForTheFirstOne() {
        KeyRing ring = new KeyRing(List.of("a", "b"));
        ring.coolDown(0, NOW + 500);
        ring.coolDown(1, NOW + 200);
        ring.coolDown(1, NOW + 100);

        assertEquals(KeyRing.ALL_COOLING, ring.next(NOW));
        assertEquals(200, ring.nanosUntilUsable(NOW), "a shorter rest does not cut a longer one");
    }

    @Test
    void aProviderWithoutKeysSendsNone() {
        KeyRing ring = new KeyRing(List.of());

        assertEquals(KeyRing.NO_KEYS, ring.next(NOW));
        assertEquals(0, ring.nanosUntilUsable(NOW));
    }

    @Test
    void aRejectedKeyIsReportedOncePerRestAndOnlyAllRejectedKeysAreALockoutByCredentials() {
        KeyRing ring = new KeyRing(List.of("a", "b"));

        assertTrue(ring.reject(0, NOW, NOW + 300), "its rest starts");
        assertFalse(ring.reject(0, NOW + 1, NOW + 301), "a second rejection in flight is the same rest");
        ring.coolDown(1, NOW + 100);
        assertFalse(ring.allRejected(NOW), "b rests after a rate limit: not a credentials lockout");
        assertTrue(ring.reject(1, NOW, NOW + 200));
        assertTrue(ring.allRejected(NOW));
        assertEquals(KeyRing.ALL_COOLING, ring.next(NOW));
        assertFalse(ring.allRejected(NOW + 200), "b's rest is over");
        assertTrue(ring.reject(0, NOW + 301, NOW + 600), "a rejection after the rest is reported again");
    }
}
