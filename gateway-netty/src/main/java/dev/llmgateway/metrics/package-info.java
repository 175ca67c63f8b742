/**
 * Prometheus metrics for the gateway: request, token, latency, error and stream-outcome series recorded once per
 * finished request from its {@link dev.llmgateway.accesslog.ExchangeRecord}, gauges read at scrape time (upstream
 * pools, Netty memory), JVM metrics, and the {@code /metrics} exposition. Recording runs on event loops and only
 * touches lock-free adders; the scrape writes into a buffer its caller owns and must release (or write).
 */
package dev.llmgateway.metrics;
