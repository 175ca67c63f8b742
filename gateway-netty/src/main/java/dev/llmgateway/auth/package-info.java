/**
 * Who is calling and what the key may do: the key table (constant-time lookup, reload-safe usage counters), the
 * authentication handler that puts a {@link dev.llmgateway.exchange.Principal} on the exchange (401 otherwise), and
 * the key limits (rate, tokens, concurrency, budget) and their handler (429 with Retry-After). docs/ARCHITECTURE.md
 * §2.
 *
 * <p>Buffer ownership: the handlers pass an exchange on or end it with an error (ending releases its request); they
 * read headers only and hold no buffer.
 */
package dev.llmgateway.auth;
