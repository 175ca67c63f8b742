/**
 * What every stage shares about one request, below all of them: the {@link dev.llmgateway.exchange.Exchange}
 * (request, endpoint, principal, route, body facts, timings, usage; it becomes the access-log record), the
 * {@link dev.llmgateway.exchange.Endpoint}s, the {@link dev.llmgateway.exchange.Principal},
 * {@link dev.llmgateway.exchange.Route} and its balancer, and the one streaming read of a request body
 * ({@link dev.llmgateway.exchange.RequestBodyScanner}). docs/ARCHITECTURE.md §2 and §3.
 *
 * <p>Buffer ownership: the exchange owns its request from creation until it ends, whichever way, and releases it
 * then, once; an error or response handed to {@link dev.llmgateway.exchange.Exchange#fail} or
 * {@link dev.llmgateway.exchange.Exchange#respond} goes to the channel. The body scanner only reads. A route's JSON
 * literals are unreleasable and read-only.
 */
package dev.llmgateway.exchange;
