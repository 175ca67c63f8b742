/**
 * Model name → {@link dev.llmgateway.exchange.Route}: the router (aliases, {@code provider/model}, prefix rules,
 * default provider; an alias's deployments and fallbacks), the handler that reads the body's model and routes the
 * exchange (400/403/404/415), and {@code GET /v1/models} in OpenAI's or Anthropic's list format.
 * docs/ARCHITECTURE.md §2.
 *
 * <p>Buffer ownership: the handlers read the request in place, pass the exchange on or end it with an error
 * (ending releases its request). A model list body is written into a new buffer that the response takes; a route's
 * JSON literals are unreleasable read-only buffers shared by every exchange.
 */
package dev.llmgateway.routing;
