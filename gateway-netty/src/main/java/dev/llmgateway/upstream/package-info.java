/**
 * The provider side: the connector interfaces the proxy talks to ({@link dev.llmgateway.upstream.UpstreamConnector},
 * {@link dev.llmgateway.upstream.UpstreamSession}, {@link dev.llmgateway.upstream.UpstreamListener}), keep-alive
 * connection pools per event loop and provider, the upstream pipeline (TLS, HTTP codec, the connection handler),
 * the upstream request's headers, and each provider's keys and circuit breaker. docs/ARCHITECTURE.md §4
 * and §7.
 *
 * <p>Buffer ownership: {@link dev.llmgateway.upstream.UpstreamSession#send} takes the request (the channel writes
 * and releases it); each response message goes to the listener of the exchange holding the connection, which then
 * owns it; a message arriving while no exchange holds the connection is released and the connection closed. Pools
 * hold connections, never buffers.
 */
package dev.llmgateway.upstream;
