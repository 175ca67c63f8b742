/**
 * The per-request record ({@link dev.llmgateway.accesslog.ExchangeRecord}), the access log and the optional body
 * capture. An access-log line is formatted on the event loop that finished the request, straight into that loop's
 * batch of bytes, which goes to the writer thread whole; the body capture's callers only enqueue a bounded private
 * copy (the buffer stays the caller's to release), and its writer thread redacts and writes. The writers hold a
 * bounded number of lines; past it lines are dropped and counted, so a slow disk or a stalled stdout costs log
 * lines, never request latency. No reference-counted buffer is kept here.
 */
package dev.llmgateway.accesslog;
