package dev.llmgateway.upstream;

import dev.llmgateway.config.BreakerPolicy;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CircuitBreakerTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void opensOnTheErrorRatioOnceTheWindowHasEnoughRequests() {
        CircuitBreaker breaker = new CircuitBreaker(new BreakerPolicy(100, 0.5, 20, Duration.ofSeconds(30),
                Duration.ofSeconds(30)));
        long now = 1000 * SECOND;
        for (int i = 0; i < 19; i++) {
            assertEquals(CircuitBreaker.Admission.ADMITTED, breaker.tryAcquire(now));
            breaker.record(CircuitBreaker.Admission.ADMITTED, i % 2 == 0, now);
        }
        assertEquals(CircuitBreaker.State.CLOSED, breaker.state(now), "19 requests are under the minimum");
        breaker.record(CircuitBreaker.Admission.ADMITTED, false, now);
        assertEquals(CircuitBreaker.State.OPEN, breaker.state(now));
        assertEquals(CircuitBreaker.Admission.REFUSED, breaker.tryAcquire(now + SECOND));
    }

    @Test
    void failuresOutsideTheWindowAreForgotten() {
        CircuitBreaker breaker = new CircuitBreaker(new BreakerPolicy(100, 0.5, 4, Duration.ofSeconds(10),
                Duration.ofSeconds(30)));
        long now = 1000 * SECOND;
        breaker.record(CircuitBreaker.Admission.ADMITTED, false, now);
        breaker.record(CircuitBreaker.Admission.ADMITTED, false, now);
        breaker.record(CircuitBreaker.Admission.ADMITTED, false, now);
        breaker.record(CircuitBreaker.Admission.ADMITTED, false, now + 20 * SECOND);
        assertEquals(CircuitBreaker.State.CLOSED, breaker.state(now + 20 * SECOND));
    }

    @Test
    void halfOpenLetsOneProbeThroughAtATime() {
        CircuitBreaker breaker = new CircuitBreaker(new BreakerPolicy(1, 0.5, 20, Duration.ofSeconds(30),
                Duration.ofSeconds(5)));
        long now = 1000 * SECOND;
        breaker.record(CircuitBreaker.Admission.ADMITTED, false, now);
        assertFalse(breaker.available(now + SECOND));
        long later = now + 6 * SECOND;
        assertTrue(breaker.available(later));
        assertEquals(CircuitBreaker.Admission.PROBE, breaker.tryAcquire(later));
        assertEquals(CircuitBreaker.Admission.REFUSED, breaker.tryAcquire(later), "a second probe waits");
        assertFalse(breaker.available(later));
        breaker.abandon(CircuitBreaker.Admission.PROBE);
        assertEquals(CircuitBreaker.Admission.PROBE, breaker.tryAcquire(later), "an abandoned probe frees the slot");
        breaker.record(CircuitBreaker.Admission.ADMITTED, true, later);
        assertEquals(CircuitBreaker.State.HALF_OPEN, breaker.state(later), "a late ordinary success decides nothing");
        breaker.record(CircuitBreaker.Admission.PROBE, true, later);
        assertEquals(CircuitBreaker.State.CLOSED, breaker.state(later));
        assertEquals(CircuitBreaker.Admission.ADMITTED, breaker.tryAcquire(later));
    }
}
