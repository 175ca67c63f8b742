/**
 * The downstream side: the listening sockets and event loops ({@link dev.llmgateway.server.GatewayServer}), the
 * client pipeline named and ordered in one place ({@link dev.llmgateway.server.DownstreamPipeline}), the handlers
 * that bound and order a connection's requests (read timeouts, body limit, HTTP/1.1's request rules, pipelining,
 * drain, the connection cap, stalled clients, the lingering close after a refusal), the endpoint handler that
 * answers every edge refusal and makes each other request an {@link dev.llmgateway.exchange.Exchange}, the proxy
 * handler that starts its call, and the config {@link dev.llmgateway.server.Snapshot} a reload swaps.
 * docs/ARCHITECTURE.md §1 and §2.
 *
 * <p>Buffer ownership: a handler that receives a reference-counted message owns it; it passes it on (ownership
 * moves with it) or releases it, on every path including errors. The endpoint handler moves the request into the
 * exchange it creates, which releases it when it ends (a refused one too); the sequencer owns the requests it
 * queues until it passes them on, and releases them, and any request after a refused one, itself; a refusal that
 * stands in for a request holds no buffer; once a refusal is answered, the lingering close releases every read
 * buffer. The proxy handler releases anything that is not an exchange. Every response written is the channel's
 * from the write on.
 */
package dev.llmgateway.server;
