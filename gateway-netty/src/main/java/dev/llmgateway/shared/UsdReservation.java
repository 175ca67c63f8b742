package dev.llmgateway.shared;

import dev.llmgateway.cost.BudgetLedger;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One request's reservation on the USD budgets kept in Redis, from the reserve script's call to its settle; the
 * {@link BudgetLedger.Hold} its exchange keeps. Confined to the event loop whose connection ({@link RedisLink})
 * reserved it: that loop answers it, refreshes its lease while the request runs, and settles it.
 * <pre>
 *  WAITING ─ reserved ──────────────────────────────────▶ HELD ─ settle / cancel ─▶ DONE
 *     └─ refused, or Redis cannot answer (the ledger's on_unavailable decides) ─────▶ DONE
 * </pre>
 */
final class UsdReservation implements BudgetLedger.Hold {
    private enum State { WAITING, HELD, DONE }

    private final SharedBudgetLedger ledger;
    private final RedisLink link;
    private final List<BudgetLedger.Budget> budgets;
    private final SharedBudgetLedger.UsdBudget[] redisBudgets;
    private final long picos;
    private final long nowMillis;
    private final CompletableFuture<BudgetLedger.Verdict> verdict;
    /** The reservation as the budgets' sorted sets hold it: its id (unique across replicas) and its amount. */
    final String member;
    final String[] keys;
    private State state = State.WAITING;

    UsdReservation(SharedBudgetLedger ledger, RedisLink link, List<BudgetLedger.Budget> budgets,
                   SharedBudgetLedger.UsdBudget[] redisBudgets, long picos, long nowMillis,
                   CompletableFuture<BudgetLedger.Verdict> verdict) {
        this.ledger = ledger;
        this.link = link;
        this.budgets = budgets;
        this.redisBudgets = redisBudgets;
        this.picos = picos;
        this.nowMillis = nowMillis;
        this.verdict = verdict;
        this.member = link.nextId() + ":" + picos;
        this.keys = new String[redisBudgets.length * 2];
        for (int i = 0; i < redisBudgets.length; i++) {
            keys[2 * i] = redisBudgets[i].spendKey();
            keys[2 * i + 1] = redisBudgets[i].heldKey();
        }
    }

    /** The reserve script's arguments (usd_reserve.lua). */
    String[] reserveArgs(String leaseMillis) {
        String[] args = new String[3 + 4 * redisBudgets.length];
        args[0] = member;
        args[1] = Long.toString(picos);
        args[2] = leaseMillis;
        for (int i = 0; i < redisBudgets.length; i++) {
            SharedBudgetLedger.UsdBudget budget = redisBudgets[i];
            args[3 + 4 * i] = budget.period();
            args[4 + 4 * i] = budget.limit();
            args[5 + 4 * i] = budget.strict();
            args[6 + 4 * i] = budget.ttlSeconds();
        }
        return args;
    }

    /** The settle script's arguments (usd_settle.lua) for a request that cost {@code costPicos}. */
    String[] settleArgs(long costPicos) {
        String[] args = new String[3 + 2 * redisBudgets.length];
        args[0] = member;
        args[1] = Long.toString(picos);
        args[2] = Long.toString(Math.max(0, costPicos));
        for (int i = 0; i < redisBudgets.length; i++) {
            args[3 + 2 * i] = redisBudgets[i].period();
            args[4 + 2 * i] = redisBudgets[i].ttlSeconds();
        }
        return args;
    }

    void reserved() {
        state = State.HELD;
        verdict.complete(new BudgetLedger.Verdict(this, null));
    }

    /** Budget number {@code index} (from 1, as the script counts) cannot take the request. */
    void refused(int index, long retryAfterSeconds, long spent, long reserved) {
        state = State.DONE;
        verdict.complete(new BudgetLedger.Verdict(null, BudgetLedger.Refusal.exceeded(budgets.get(index - 1),
                spent, reserved, picos, retryAfterSeconds)));
    }

    void unavailable() {
        state = State.DONE;
        ledger.withoutRedis(budgets, picos, nowMillis, verdict);
    }

    @Override
    public void settle(long actualPicos, long nowMillis) {
        if (state == State.HELD) {
            state = State.DONE;
            link.settle(this, actualPicos);
        }
    }

    @Override
    public void cancel() {
        settle(0, 0);
    }

    @Override
    public String toString() {
        return "UsdReservation[" + member + " " + state + "]";
    }
}
