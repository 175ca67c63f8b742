/**
 * OpenAI's Chat Completions API on both sides: the request reader (client → neutral events) and writer (neutral
 * events → an OpenAI-compatible provider), the answer decoder (stream chunks or a body), the encoders that write
 * the client's stream or body, the error reader, and usage reading for pass-through streams. docs/ARCHITECTURE.md
 * §5.
 *
 * <p>Buffer ownership: as in {@link dev.llmgateway.dialect}: the request body is borrowed (spans point into its
 * bytes, valid while it is), each encoded stream event goes to the consumer, which owns it, and a finished body is
 * the caller's; nothing here releases a buffer it was given.
 */
package dev.llmgateway.dialect.openai;
