/**
 * The downstream side: the listening sockets and event loops ({@link dev.llmgateway.server.GatewayServer}), the
 * client pipeline named and ordered in one place ({@link dev.llmgateway.server.DownstreamPipeline}), the handlers
 * that bound and order a connection's requests (read timeouts, body limit, pipelining, drain, the connection cap),
 * the endpoint handler that makes each request an {@link dev.llmgateway.exchange.Exchange}, the proxy handler that
 * starts its call, and the config {@link dev.llmgateway.server.Snapshot} a reload swaps. docs/ARCHITECTURE.md §1
 * and §2.
 *
 * <p>Buffer ownership: a handler that receives a reference-counted message owns it; it passes it on (ownership
 * moves with it) or releases it, on every path including errors. The endpoint handler moves the request into the
 * exchange it creates, which releases it when it ends, or releases an undecodable request itself; the sequencer
 * owns the requests it queues until it passes them on, and releases them if the connection closes first; the
 * proxy handler releases anything that is not an exchange. Every response written is the channel's from the
 * write on.
 */
package dev.llmgateway.server;
