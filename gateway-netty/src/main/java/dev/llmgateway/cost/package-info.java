/**
 * Money: the price table (shipped {@code prices.toml} with the config's {@code [prices]} over it), a request's cost
 * from its exact usage in whole picodollars ({@link dev.llmgateway.cost.Usd}), and the USD budgets' ledger
 * ({@link dev.llmgateway.cost.BudgetLedger}: reserve, then settle or cancel; per replica in
 * {@link dev.llmgateway.cost.LocalBudgetLedger}). Pure computation over immutable config: no buffers, no threads.
 */
package dev.llmgateway.cost;
