/**
 * Google Gemini's {@code generateContent} API as a provider: the request writer (neutral events → a Gemini body),
 * the answer decoder (its SSE stream or a body, with cumulative usage), and the error reader. Gemini clients are
 * not served, so there is no reader or encoder. docs/ARCHITECTURE.md §5.
 *
 * <p>Buffer ownership: as in {@link dev.llmgateway.dialect}: the bytes decoded or read are borrowed, and the
 * request is written into a buffer the caller owns; nothing here releases a buffer it was given.
 */
package dev.llmgateway.dialect.gemini;
