package dev.llmgateway.auth;

import dev.llmgateway.config.KeyLimits;
import dev.llmgateway.config.KeyLimits.BudgetPeriod;
import dev.llmgateway.dialect.ApiError;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Each limit hit and recovered, on clocks the test moves. */
class KeyLimiterTest {
    private static final long SECOND = 1_000_000_000L;
    private final AtomicLong nanos = new AtomicLong(5 * SECOND);
    private final AtomicLong millis = new AtomicLong(Instant.parse("2026-03-31T23:59:30Z").toEpochMilli());

    private KeyLimiter limiter(KeyLimits limits) {
        return new KeyLimiter("k", limits, nanos::get, millis::get);
    }

    @Test
    void requestsPerMinuteSlideOut() {
        KeyLimiter limiter = limiter(new KeyLimits(2, 0, 0, 0, BudgetPeriod.DAY));
        assertNull(limiter.admit());
        nanos.addAndGet(10 * SECOND);
        assertNull(limiter.admit());
        ApiError refused = limiter.admit();
        assertNotNull(refused);
        assertEquals("requests", refused.type());
        assertEquals(50, refused.retryAfterSeconds(), "the first request leaves the window 50 s from now");
        nanos.addAndGet(50 * SECOND);
        assertNull(limiter.admit());
        assertNotNull(limiter.admit(), "the second request is still in the window");
    }

    @Test
    void tokensPerMinuteChargedAtTheEnd() {
        KeyLimiter limiter = limiter(new KeyLimits(0, 100, 0, 0, BudgetPeriod.DAY));
        assertNull(limiter.admit());
        assertNull(limiter.admit(), "nothing is charged until a request ends");
        limiter.finished(60);
        limiter.finished(40);
        ApiError refused = limiter.admit();
        assertEquals("tokens", refused.type());
        assertEquals(60, refused.retryAfterSeconds());
        nanos.addAndGet(60 * SECOND);
        assertNull(limiter.admit());
    }

    @Test
    void concurrencySlotsAreReturned() {
        KeyLimiter limiter = limiter(new KeyLimits(0, 0, 2, 0, BudgetPeriod.DAY));
        assertNull(limiter.admit());
        assertNull(limiter.admit());
        assertEquals("requests", limiter.admit().type());
        limiter.finished(0);
        assertNull(limiter.admit());
        assertNotNull(limiter.admit());
    }

    @Test
    void refusedByRequestsPerMinuteHoldsNoSlot() {
        KeyLimiter limiter = limiter(new KeyLimits(1, 0, 1, 0, BudgetPeriod.DAY));
        assertNull(limiter.admit());
        limiter.finished(0);
        assertNotNull(limiter.admit());
        nanos.addAndGet(60 * SECOND);
        assertNull(limiter.admit(), "the refused request left no slot taken");
    }

    @Test
    void dailyBudgetRenewsAtUtcMidnight() {
        KeyLimiter limiter = limiter(new KeyLimits(0, 0, 0, 1000, BudgetPeriod.DAY));
        assertNull(limiter.admit());
        limiter.finished(1000);
        ApiError refused = limiter.admit();
        assertEquals("tokens", refused.type());
        assertEquals(30, refused.retryAfterSeconds());
        millis.addAndGet(30_000);
        assertNull(limiter.admit());
    }

    @Test
    void monthlyBudgetRenewsOnTheFirst() {
        KeyLimiter limiter = limiter(new KeyLimits(0, 0, 0, 10, BudgetPeriod.MONTH));
        millis.addAndGet(-86_400_000L);
        limiter.finished(10);
        assertNotNull(limiter.admit(), "a day earlier is the same month");
        millis.addAndGet(86_400_000L + 30_000);
        assertNull(limiter.admit(), "April 1st starts a new budget");
    }
}
