package dev.llmgateway.cost;

import dev.llmgateway.config.BudgetConfig;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LocalBudgetLedgerTest {
    private static final long NOW = Instant.parse("2026-12-07T14:00:00Z").toEpochMilli();
    private static final long USD = Usd.PICOS_PER_USD;

    @Test
    void strictReservationsCannotTogetherPassTheBudget() {
        LocalBudgetLedger ledger = new LocalBudgetLedger();
        List<BudgetLedger.Budget> key = List.of(budget("key", "a", 10 * USD, BudgetConfig.Period.DAY,
                BudgetConfig.Mode.STRICT));
        List<BudgetLedger.Hold> holds = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            holds.add(verdict(ledger, key, 3 * USD, NOW).hold());
        }
        BudgetLedger.Verdict fourth = verdict(ledger, key, 3 * USD, NOW);
        assertFalse(fourth.admitted(), "9 of 10 USD are held: a 4th worst case of 3 does not fit");
        assertEquals(Duration.ofHours(10).toSeconds(), fourth.refusal().retryAfterSeconds(), "at UTC midnight");

        holds.get(0).settle(USD / 2, NOW);
        holds.get(1).settle(USD / 4, NOW);
        holds.get(2).cancel();
        assertEquals(USD * 3 / 4, ledger.spent(key.get(0), NOW), "settled to the exact sum of the real costs");
        assertEquals(0, ledger.reserved(key.get(0)));
        assertEquals(0, ledger.spent(key.get(0), NOW + Duration.ofHours(10).toMillis()), "a new UTC day");
    }

    @Test
    void aTeamBudgetCapsAllItsKeysTogetherAndARefusalHoldsNothing() {
        LocalBudgetLedger ledger = new LocalBudgetLedger();
        BudgetLedger.Budget team = budget("team", "t", 5 * USD, BudgetConfig.Period.MONTH, BudgetConfig.Mode.STRICT);
        List<BudgetLedger.Budget> first = List.of(budget("key", "a", 100 * USD, BudgetConfig.Period.DAY,
                BudgetConfig.Mode.STRICT), team);
        List<BudgetLedger.Budget> second = List.of(budget("key", "b", 100 * USD, BudgetConfig.Period.DAY,
                BudgetConfig.Mode.STRICT), team);
        assertTrue(verdict(ledger, first, 3 * USD, NOW).admitted());
        BudgetLedger.Verdict refused = verdict(ledger, second, 3 * USD, NOW);
        assertFalse(refused.admitted());
        assertTrue(refused.refusal().message().contains("team 't'"), refused.refusal().message());
        assertEquals(0, ledger.reserved(second.get(0)), "the key's own reservation was given back");
        assertEquals(Duration.ofDays(24).plusHours(10).toSeconds(), refused.refusal().retryAfterSeconds(),
                "at the start of the next UTC month");
    }

    @Test
    void softModeAdmitsWhileSpendIsUnderTheBudget() {
        LocalBudgetLedger ledger = new LocalBudgetLedger();
        List<BudgetLedger.Budget> key = List.of(budget("key", "s", USD, BudgetConfig.Period.DAY,
                BudgetConfig.Mode.SOFT));
        BudgetLedger.Hold big = verdict(ledger, key, 50 * USD, NOW).hold();
        assertTrue(verdict(ledger, key, 50 * USD, NOW).admitted(), "in flight does not count in soft mode");
        big.settle(2 * USD, NOW);
        assertFalse(verdict(ledger, key, 1, NOW).admitted(), "spent 2 of 1 USD: nothing more gets in");
    }

    @Test
    void aRollingWindowLetsSpendLeaveAsItAges() {
        LocalBudgetLedger ledger = new LocalBudgetLedger();
        BudgetConfig.Period hour = new BudgetConfig.Period(BudgetConfig.Period.Kind.ROLLING, Duration.ofMinutes(64));
        List<BudgetLedger.Budget> key = List.of(budget("key", "r", 10 * USD, hour, BudgetConfig.Mode.STRICT));
        verdict(ledger, key, 8 * USD, NOW).hold().settle(8 * USD, NOW);
        long later = NOW + Duration.ofMinutes(30).toMillis();
        BudgetLedger.Verdict refused = verdict(ledger, key, 5 * USD, later);
        assertFalse(refused.admitted());
        // The 8 USD left in the bucket of NOW (2-minute buckets): it leaves 64 minutes after that bucket began.
        long bucketStart = Math.floorDiv(NOW, Duration.ofMinutes(2).toMillis()) * Duration.ofMinutes(2).toMillis();
        assertEquals((bucketStart + Duration.ofMinutes(64).toMillis() - later) / 1000,
                refused.refusal().retryAfterSeconds());
        assertTrue(verdict(ledger, key, 5 * USD, NOW + Duration.ofMinutes(65).toMillis()).admitted());
    }

    /** Many threads reserving at once: admitted worst cases never add up past the budget. */
    @Test
    void concurrentReservationsNeverOvershoot() throws Exception {
        LocalBudgetLedger ledger = new LocalBudgetLedger();
        List<BudgetLedger.Budget> key = List.of(budget("key", "c", 100 * USD, BudgetConfig.Period.DAY,
                BudgetConfig.Mode.STRICT));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                results.add(pool.submit(() -> verdict(ledger, key, 7 * USD, NOW).admitted()));
            }
            int admitted = 0;
            for (Future<Boolean> result : results) {
                admitted += result.get(10, TimeUnit.SECONDS) ? 1 : 0;
            }
            assertEquals(14, admitted, "floor(100 / 7)");
            assertEquals(98 * USD, ledger.reserved(key.get(0)));
        } finally {
            pool.shutdownNow();
        }
    }

    private static BudgetLedger.Verdict verdict(BudgetLedger ledger, List<BudgetLedger.Budget> budgets, long picos,
                                                long now) {
        return ledger.reserve(budgets, picos, now).toCompletableFuture().join();
    }

    private static BudgetLedger.Budget budget(String scope, String name, long picos, BudgetConfig.Period period,
                                              BudgetConfig.Mode mode) {
        return new BudgetLedger.Budget(scope, name, new BudgetConfig(picos, period, mode));
    }
}
