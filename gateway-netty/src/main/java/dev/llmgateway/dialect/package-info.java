/**
 * What translation between the APIs shares: the neutral events a request
 * ({@link dev.llmgateway.dialect.RequestEvents}) and an answer ({@link dev.llmgateway.dialect.AnswerEvents}) go
 * through, the decoder and encoder interfaces, the SSE reader that feeds a decoder, usage and finish reasons, and
 * the one catalogue of gateway-made errors ({@link dev.llmgateway.dialect.ApiError}) rendered in each client's shape
 * ({@link dev.llmgateway.dialect.ErrorResponses}). docs/ARCHITECTURE.md §5 and §9.
 *
 * <p>Buffer ownership: readers and decoders borrow the bytes they are given and keep no reference; the SSE answer
 * reader releases every event it is handed. Writers write into a buffer their caller owns. A stream encoder hands
 * each event's buffer to its consumer, which then owns it; a body encoder's finished body is its caller's, and
 * {@link dev.llmgateway.dialect.BodyEncoder#discard} frees a body abandoned before its end. An error response or
 * stream event made here is the caller's to write or release.
 */
package dev.llmgateway.dialect;
