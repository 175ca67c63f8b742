/**
 * The per-request record ({@link dev.llmgateway.accesslog.ExchangeRecord}), the access log and the optional body
 * capture. Everything here runs off the event loop: callers on an event loop only enqueue an immutable record (or,
 * for a body, a bounded private copy made on their thread, since the buffer stays the caller's to release), and
 * one writer thread per sink formats, redacts and writes. Queues are bounded; a full queue drops and counts, so a
 * slow disk or a stalled stdout costs log lines, never request latency. No reference-counted buffer is kept here.
 */
package dev.llmgateway.accesslog;
