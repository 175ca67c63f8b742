/**
 * OpenTelemetry traces (docs/ARCHITECTURE.md §3, §7): one server span per request and one client span per upstream
 * attempt, with the GenAI semantic conventions, exported over OTLP/HTTP by the SDK's batch span processor. The
 * pipeline sees three small interfaces — {@link dev.llmgateway.tracing.Tracing},
 * {@link dev.llmgateway.tracing.RequestTrace}, {@link dev.llmgateway.tracing.AttemptTrace} — whose {@code OFF}
 * constants do nothing, so with tracing off a request makes no span, reads no context and allocates nothing for it.
 *
 * <p>Threads and buffers: spans are made, filled and ended on the request's event loop; ending one only offers it
 * to the processor's bounded lock-free queue (full: dropped and counted), and the export — protobuf encoding, the
 * HTTP post, the redaction of captured content — runs on the processor's own thread. Buffers handed in here
 * (request bodies, answer pieces) stay their caller's: they are read during the call and never kept; a scanner
 * that frames a stream retains only what it feeds its framer and releases it there.
 */
package dev.llmgateway.tracing;
