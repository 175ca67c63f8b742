package dev.llmgateway.cost;

import dev.llmgateway.config.BudgetConfig;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The per-replica {@link BudgetLedger}: spend and reservations in memory, lock-free (one compare-and-set of an
 * immutable state per budget per step), verdicts completed before {@link #reserve} returns. A budget's account is
 * found by scope, name and period, so a config reload keeps what was spent while the period stays the same; a
 * restart forgets it, and each replica counts alone.
 *
 * <p>A calendar budget counts one UTC day or month and starts again at its end. A rolling budget counts the last
 * {@code window}, in {@value #ROLLING_BUCKETS} buckets: spend leaves it a bucket (window / {@value #ROLLING_BUCKETS})
 * at a time.
 */
public final class LocalBudgetLedger implements BudgetLedger {
    /** A rolling window's buckets; the shared ledger's script counts the same ones. */
    public static final int ROLLING_BUCKETS = 32;
    private static final long MILLIS_PER_DAY = 86_400_000L;
    private static final long MILLIS_PER_SECOND = 1_000L;

    private final ConcurrentHashMap<String, Account> accounts = new ConcurrentHashMap<>();

    @Override
    public CompletionStage<Verdict> reserve(List<Budget> budgets, long worstCasePicos, long nowMillis) {
        Account[] held = new Account[budgets.size()];
        for (int i = 0; i < held.length; i++) {
            Budget budget = budgets.get(i);
            Account account = account(budget);
            Refusal refusal = account.reserve(budget, worstCasePicos, nowMillis);
            if (refusal != null) {
                for (int j = 0; j < i; j++) {
                    held[j].release(worstCasePicos, 0, nowMillis);
                }
                return CompletableFuture.completedFuture(new Verdict(null, refusal));
            }
            held[i] = account;
        }
        return CompletableFuture.completedFuture(new Verdict(new LocalHold(held, worstCasePicos), null));
    }

    /** What {@code budget} has spent in its period now, settled requests only; for tests and the README's figures. */
    public long spent(Budget budget, long nowMillis) {
        Account account = accounts.get(key(budget));
        return account == null ? 0 : account.spent(nowMillis);
    }

    /** What requests in flight hold on {@code budget}. */
    public long reserved(Budget budget) {
        Account account = accounts.get(key(budget));
        return account == null ? 0 : account.state.get().reserved;
    }

    private Account account(Budget budget) {
        return accounts.computeIfAbsent(key(budget), k -> new Account(budget.config().period()));
    }

    private static String key(Budget budget) {
        return budget.scope() + ':' + budget.name() + ':' + budget.config().period();
    }

    private static final class LocalHold implements Hold {
        private final Account[] accounts;
        private final long reservedPicos;

        LocalHold(Account[] accounts, long reservedPicos) {
            this.accounts = accounts;
            this.reservedPicos = reservedPicos;
        }

        @Override
        public void settle(long actualPicos, long nowMillis) {
            for (Account account : accounts) {
                account.release(reservedPicos, actualPicos, nowMillis);
            }
        }

        @Override
        public void cancel() {
            for (Account account : accounts) {
                account.giveBack(reservedPicos);
            }
        }
    }

    /**
     * One budget's running totals. {@code spent[j]} is the spend of bucket {@code newest - j} (a bucket is a UTC
     * day, a UTC month, or a slice of a rolling window); {@code reserved} what requests in flight hold, whatever
     * bucket they started in.
     */
    private record State(long newest, long[] spent, long reserved) {
        /** This state seen from bucket {@code bucket}: older buckets shifted out. Same object when nothing moved. */
        State at(long bucket) {
            if (bucket <= newest) {
                return this;
            }
            long[] moved = new long[spent.length];
            // The first state has no bucket yet (Long.MIN_VALUE): nothing to keep, and no difference to overflow.
            long shift = newest == Long.MIN_VALUE ? spent.length : bucket - newest;
            for (int j = 0; j + shift < spent.length; j++) {
                moved[(int) (j + shift)] = spent[j];
            }
            return new State(bucket, moved, reserved);
        }

        long total() {
            long sum = 0;
            for (long s : spent) {
                sum += s;
            }
            return sum;
        }
    }

    private static final class Account {
        private final BudgetConfig.Period period;
        private final long bucketMillis;
        private final AtomicReference<State> state;

        Account(BudgetConfig.Period period) {
            this.period = period;
            boolean rolling = period.kind() == BudgetConfig.Period.Kind.ROLLING;
            this.bucketMillis = rolling ? Math.max(1, period.window().toMillis() / ROLLING_BUCKETS) : 0;
            this.state = new AtomicReference<>(new State(Long.MIN_VALUE, new long[rolling ? ROLLING_BUCKETS : 1], 0));
        }

        /** Holds {@code picos} when the budget's mode lets it in; else says why not. */
        Refusal reserve(Budget budget, long picos, long nowMillis) {
            BudgetConfig config = budget.config();
            long bucket = bucket(nowMillis);
            while (true) {
                State old = state.get();
                State now = old.at(bucket);
                long spent = now.total();
                boolean fits = config.mode() == BudgetConfig.Mode.STRICT
                        ? spent + now.reserved <= config.limitPicos() - picos
                        : spent < config.limitPicos();
                if (!fits) {
                    long wanted = config.mode() == BudgetConfig.Mode.STRICT ? picos + now.reserved : 0;
                    return Refusal.exceeded(budget, spent, now.reserved, picos,
                            retryAfterSeconds(now, config.limitPicos() - wanted, nowMillis));
                }
                if (state.compareAndSet(old, new State(now.newest, now.spent, now.reserved + picos))) {
                    return null;
                }
            }
        }

        /** Gives back {@code reservedPicos} and counts {@code actualPicos} as spent now. */
        void release(long reservedPicos, long actualPicos, long nowMillis) {
            long bucket = bucket(nowMillis);
            while (true) {
                State old = state.get();
                State now = old.at(bucket);
                long[] spent = now.spent;
                if (actualPicos > 0) {
                    spent = spent.clone();
                    spent[(int) Math.max(0, Math.min(spent.length - 1, now.newest - bucket))] += actualPicos;
                }
                State next = new State(now.newest, spent, Math.max(0, now.reserved - reservedPicos));
                if (state.compareAndSet(old, next)) {
                    return;
                }
            }
        }

        /** Gives back {@code reservedPicos} of a request that cost nothing: no spend, so no period moves. */
        void giveBack(long reservedPicos) {
            while (true) {
                State old = state.get();
                State next = new State(old.newest, old.spent, Math.max(0, old.reserved - reservedPicos));
                if (state.compareAndSet(old, next)) {
                    return;
                }
            }
        }

        long spent(long nowMillis) {
            return state.get().at(bucket(nowMillis)).total();
        }

        private long bucket(long millis) {
            return switch (period.kind()) {
                case DAY -> Math.floorDiv(millis, MILLIS_PER_DAY);
                case MONTH -> monthNumber(day(millis));
                case ROLLING -> Math.floorDiv(millis, bucketMillis);
            };
        }

        /**
         * Seconds until the spend counted falls to {@code allowed} or below: the period's end for a calendar
         * budget; for a rolling one, until enough old buckets have left the window (the whole window when even an
         * empty one could not take it).
         */
        private long retryAfterSeconds(State now, long allowed, long nowMillis) {
            long untilMillis;
            if (period.kind() != BudgetConfig.Period.Kind.ROLLING) {
                LocalDate day = day(nowMillis);
                LocalDate next = period.kind() == BudgetConfig.Period.Kind.MONTH
                        ? day.withDayOfMonth(1).plusMonths(1) : day.plusDays(1);
                untilMillis = next.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli() - nowMillis;
            } else {
                untilMillis = period.window().toMillis();
                long total = now.total();
                for (int j = now.spent.length - 1; j >= 0; j--) {
                    total -= now.spent[j];
                    if (total <= allowed && allowed >= 0) {
                        // bucket newest - j leaves the window when bucket newest - j + length begins
                        untilMillis = (now.newest - j + now.spent.length) * bucketMillis - nowMillis;
                        break;
                    }
                }
            }
            return Math.max(1, (untilMillis + MILLIS_PER_SECOND - 1) / MILLIS_PER_SECOND);
        }

        private static LocalDate day(long millis) {
            return LocalDate.ofEpochDay(Math.floorDiv(millis, MILLIS_PER_DAY));
        }

        private static long monthNumber(LocalDate day) {
            return (day.getYear() - 1970L) * 12 + day.getMonthValue() - 1;
        }
    }
}
