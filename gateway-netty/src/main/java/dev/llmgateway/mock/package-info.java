/**
 * The built-in mock provider, an {@link dev.llmgateway.upstream.UpstreamConnector} like the pools: OpenAI-format
 * answers, streamed on the exchange's event loop, so the same proxy, relay and error paths run as for a real
 * provider.
 *
 * <p>Buffer ownership: a session takes the request it is sent and releases it once read; each response piece it
 * makes goes to the listener, which then owns it; an aborted answer makes no more pieces.
 */
package dev.llmgateway.mock;
