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
            assertTrue(breaker.tryAcquire(now));
            breaker.record(i % 2 == 0, now);
        }
        assertEquals(CircuitBreaker.State.CLOSED, breaker.state(now), "19 requests are under the minimum");
        breaker.record(false, now);
        assertEquals(CircuitBreaker.State.OPEN, breaker.state(now));
        assertFalse(breaker.tryAcquire(now + SECOND));
    }

    @Test
    void failuresOutsideTheWindowAreForgotten() {
        CircuitBreaker breaker = new CircuitBreaker(new BreakerPolicy(100, 0.5, 4, Duration.ofSeconds(10),
                Duration.ofSeconds(30)));
        long now = 1000 * SECOND;
        breaker.record(false, now);
        breaker.record(false, now);
        breaker.record(false, now);
        breaker.record(false, now + 20 * SECOND);
        assertEquals(CircuitBreaker.State.CLOSED, breaker.state(now + 20 * SECOND));
    }

    @Test
    void halfOpenLetsOneProbeThroughAtATime() {
        CircuitBreaker breaker = new CircuitBreaker(new BreakerPolicy(1, 0.5, 20, Duration.ofSeconds(30),
                Duration.ofSeconds(5)));
        long now = 1000 * SECOND;
        breaker.record(false, now);
        assertFalse(breaker.available(now + SECOND));
        long later = now + 6 * SECOND;
        assertTrue(breaker.available(later));
        assertTrue(breaker.tryAcquire(later));
        assertFalse(breaker.tryAcquire(later), "a second probe waits");
        assertFalse(breaker.available(later));
        breaker.abandon();
        assertTrue(breaker.tryAcquire(later), "an abandoned probe frees the slot");
        breaker.record(true, later);
        assertEquals(CircuitBreaker.State.CLOSED, breaker.state(later));
        assertTrue(breaker.tryAcquire(later));
    }
}
