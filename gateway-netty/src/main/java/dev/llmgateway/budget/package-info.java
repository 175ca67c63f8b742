/**
 * USD budgets at admission: {@link dev.llmgateway.budget.BudgetHandler} reserves a routed request's worst-case cost
 * on its key's and team's budgets (the ledger and prices are {@code dev.llmgateway.cost}'s) and refuses with 429
 * {@code budget_exceeded} what does not fit. docs/ARCHITECTURE.md §2.
 *
 * <p>Buffer ownership: the handler passes an exchange on or ends it with an error (ending releases its request); it
 * holds no buffer.
 */
package dev.llmgateway.budget;
