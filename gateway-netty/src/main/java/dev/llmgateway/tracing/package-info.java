/**
 * OpenTelemetry traces (docs/ARCHITECTURE.md §3, §7): one server span per request and one client span per upstream
 * attempt, with the GenAI semantic conventions, exported over OTLP/HTTP (protobuf). The pipeline sees three small
 * interfaces — {@link dev.llmgateway.tracing.Tracing}, {@link dev.llmgateway.tracing.RequestTrace},
 * {@link dev.llmgateway.tracing.AttemptTrace} — whose {@code OFF} constants do nothing, so with tracing off a request
 * makes no span, reads no context and allocates nothing for it.
 *
 * <p>No OpenTelemetry SDK: spans are the gateway's own flat records ({@link dev.llmgateway.tracing.SpanRecord}),
 * their attributes plain fields, their ids from the thread's random generator, the sampling decided once per trace
 * with the SDK samplers' semantics; the encoder writes OTLP's protobuf directly.
 *
 * <p>Threads and buffers: spans are made, filled and ended on the request's event loop; ending one only offers it
 * to the export's bounded lock-free queue (full: dropped and counted), and the export — the JSON of captured content
 * and its redaction, the protobuf encoding, the HTTP post — runs on the export thread. Buffers handed in here
 * (request bodies, answer pieces) stay their caller's: they are read during the call and never kept; a scanner
 * that frames a stream retains only what it feeds its framer and releases it there.
 */
package dev.llmgateway.tracing;
