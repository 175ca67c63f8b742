package dev.llmgateway.shared;

import dev.llmgateway.config.BudgetConfig;
import dev.llmgateway.config.SharedConfig;
import dev.llmgateway.cost.BudgetLedger;
import dev.llmgateway.cost.LocalBudgetLedger;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@link BudgetLedger} shared by every replica through the Redis of {@code [shared]}: spend and reservations of
 * keys' and teams' USD budgets live in Redis, so the fleet holds each budget once and a restart forgets nothing. A
 * request is reserved on all its budgets in one script call (usd_reserve.lua: the period on Redis' clock, spend +
 * reservations + the worst case against the limit) on the connection of the event loop it runs on, and the verdict
 * completes on that loop. A reservation has the slots' lease ({@code slot_lease}, extended while the request runs),
 * so one a dead replica held stops holding the budget when its lease ends.
 *
 * <p>While Redis cannot answer, {@code on_unavailable} decides as for key limits: {@code local} reserves on this
 * replica's own {@link LocalBudgetLedger} (the shared state logs and counts the fallback), {@code deny} answers the
 * request {@link BudgetLedger.Verdict#UNAVAILABLE}.
 */
public final class SharedBudgetLedger implements BudgetLedger {
    private static final long DAY_SECONDS = 86_400;

    private final SharedState state;
    private final LocalBudgetLedger local = new LocalBudgetLedger();
    /** Each budget's Redis keys and script arguments, made once per budget config (a reload adds its own). */
    private final ConcurrentHashMap<Budget, UsdBudget> redisBudgets = new ConcurrentHashMap<>();

    public SharedBudgetLedger(SharedState state) {
        this.state = state;
    }

    /** Reserves on Redis through the connection of the calling event loop; called on one of the gateway's loops. */
    @Override
    public CompletionStage<Verdict> reserve(List<Budget> budgets, long worstCasePicos, long nowMillis) {
        CompletableFuture<Verdict> verdict = new CompletableFuture<>();
        RedisLink link = state.linkOfThisLoop();
        if (link == null) {
            // Not one of the gateway's loops (nothing the server runs): no connection to ask on.
            withoutRedis(budgets, worstCasePicos, nowMillis, verdict);
            return verdict;
        }
        UsdBudget[] usd = new UsdBudget[budgets.size()];
        for (int i = 0; i < usd.length; i++) {
            usd[i] = redisBudgets.computeIfAbsent(budgets.get(i), this::usdBudget);
        }
        link.reserve(new UsdReservation(this, link, budgets, usd, worstCasePicos, nowMillis, verdict));
        return verdict;
    }

    /** The per-replica ledger {@code on_unavailable = "local"} falls back to; for tests. */
    public LocalBudgetLedger local() {
        return local;
    }

    /** Redis could not answer: the policy decides. */
    void withoutRedis(List<Budget> budgets, long worstCasePicos, long nowMillis,
                      CompletableFuture<Verdict> verdict) {
        if (state.config().onUnavailable() == SharedConfig.OnUnavailable.DENY) {
            verdict.complete(Verdict.UNAVAILABLE);
        } else {
            local.reserve(budgets, worstCasePicos, nowMillis).thenAccept(verdict::complete);
        }
    }

    private UsdBudget usdBudget(Budget budget) {
        BudgetConfig.Period period = budget.config().period();
        String periodArg;
        long ttlSeconds;
        switch (period.kind()) {
            case DAY -> {
                periodArg = "d";
                ttlSeconds = 2 * DAY_SECONDS;
            }
            case MONTH -> {
                periodArg = "m";
                ttlSeconds = 32 * DAY_SECONDS;
            }
            default -> {
                long bucketMillis = Math.max(1, period.window().toMillis() / LocalBudgetLedger.ROLLING_BUCKETS);
                periodArg = Long.toString(bucketMillis);
                ttlSeconds = period.window().toSeconds() + 1;
            }
        }
        ttlSeconds = Math.max(ttlSeconds, state.config().slotLease().toSeconds() + 1);
        // The period is part of the name, as in the per-replica ledger: a reload that changes it starts afresh.
        String base = state.config().keyPrefix() + "usd:" + budget.scope() + ":" + budget.name() + ":"
                + (period.kind() == BudgetConfig.Period.Kind.ROLLING ? period.window().toMillis() + "ms"
                : period.toString()) + ":";
        return new UsdBudget(base + "spend", base + "held", periodArg, Long.toString(budget.config().limitPicos()),
                budget.config().mode() == BudgetConfig.Mode.STRICT ? "1" : "0", Long.toString(ttlSeconds));
    }

    /** One budget in Redis: its keys (common.lua) and the script arguments that describe it. */
    record UsdBudget(String spendKey, String heldKey, String period, String limit, String strict,
                     String ttlSeconds) {
    }
}
