/**
 * Server-sent-event framing on raw bytes, without copying.
 *
 * <p>Buffer ownership rule: a handler that receives a reference-counted message owns it; it passes it on or
 * releases it, on every path including errors. {@link dev.llmgateway.sse.SseFramer#feed} owns the chunk it is
 * given; {@link dev.llmgateway.sse.SseEventHandler#onEvent} owns {@link dev.llmgateway.sse.SseEvent#content()};
 * {@link dev.llmgateway.sse.SseWriter} consumes the JSON buffers it is given.
 */
package dev.llmgateway.sse;
