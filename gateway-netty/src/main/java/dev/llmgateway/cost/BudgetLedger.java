package dev.llmgateway.cost;

import dev.llmgateway.config.BudgetConfig;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Where spend against USD budgets is kept. A request is admitted by {@link #reserve reserving} its worst-case cost
 * on every budget that covers it (its key's, its team's) in one step, and settled with its real cost
 * ({@link Hold#settle}) or given back ({@link Hold#cancel}) when it ends: so N requests in flight hold N worst
 * cases, and N concurrent first requests cannot together pass a budget.
 *
 * <p>The verdict is a stage so that a ledger shared across replicas (a store that answers later, on another
 * thread) fits the same admission as the per-replica one, which completes it before returning: the caller acts
 * at once on a completed stage and otherwise continues on its own event loop when the stage completes.
 */
public interface BudgetLedger {
    /**
     * Reserves {@code worstCasePicos} on every one of {@code budgets} or on none. {@code nowMillis} is the wall
     * clock (budgets count UTC days and months).
     */
    CompletionStage<Verdict> reserve(List<Budget> budgets, long worstCasePicos, long nowMillis);

    /** A budget to hold a request to: what it is ({@code key} or {@code team}, and its name) and its config. */
    record Budget(String scope, String name, BudgetConfig config) {
        /** How a refusal names it: {@code key 'ci'}. */
        String label() {
            return scope + " '" + name + "'";
        }
    }

    /**
     * Either a hold on the budgets (admitted) or a refusal; or neither ({@link #UNAVAILABLE}): a shared ledger could
     * not decide and its policy ({@code [shared] on_unavailable = "deny"}) refuses what it cannot count.
     */
    record Verdict(Hold hold, Refusal refusal) {
        public static final Verdict UNAVAILABLE = new Verdict(null, null);

        public boolean admitted() {
            return hold != null;
        }

        public boolean unavailable() {
            return hold == null && refusal == null;
        }
    }

    /** Why a request was refused, and when it may fit again (at least 1 s). */
    record Refusal(String message, long retryAfterSeconds) {
        /** {@code budget}, having {@code spent} and {@code reserved}, cannot take a worst case of {@code picos}. */
        public static Refusal exceeded(Budget budget, long spent, long reserved, long picos, long retryAfterSeconds) {
            BudgetConfig config = budget.config();
            return new Refusal("The " + budget.label() + " has "
                    + Usd.format(Math.max(0, config.limitPicos() - spent - reserved)) + " USD of its "
                    + Usd.format(config.limitPicos()) + " USD budget left per " + config.period()
                    + ", less than this request's worst case of " + Usd.format(picos) + " USD", retryAfterSeconds);
        }
    }

    /** An admitted request's reservation; exactly one of settle or cancel, once. */
    interface Hold {
        /** The request ended having cost {@code actualPicos}: the reservation becomes that spend. */
        void settle(long actualPicos, long nowMillis);

        /** The request ended costing nothing: the reservation is given back. */
        void cancel();
    }
}
