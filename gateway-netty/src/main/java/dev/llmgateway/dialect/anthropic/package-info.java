/**
 * Anthropic's Messages API on both sides: the request reader (a {@code /v1/messages} client → neutral events) and
 * writer (neutral events → an Anthropic provider), the answer decoder (its event stream or a message body), the
 * encoders that write an Anthropic client's stream or message, and the error reader. docs/ARCHITECTURE.md §5.
 *
 * <p>Buffer ownership: as in {@link dev.llmgateway.dialect}: the request body is borrowed (spans point into its
 * bytes, valid while it is), each encoded stream event goes to the consumer, which owns it, and a finished body is
 * the caller's; nothing here releases a buffer it was given.
 */
package dev.llmgateway.dialect.anthropic;
