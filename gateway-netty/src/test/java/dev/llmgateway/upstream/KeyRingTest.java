package dev.llmgateway.upstream;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
