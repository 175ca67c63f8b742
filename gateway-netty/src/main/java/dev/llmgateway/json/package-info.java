/**
 * Finds and replaces JSON member values in place, on the bytes as they came off the wire.
 *
 * <p>Buffer ownership rule: a handler that receives a reference-counted message owns it; it passes it on or
 * releases it, on every path including errors. {@link dev.llmgateway.json.JsonSpans} only reads the buffer it is
 * given; {@link dev.llmgateway.json.JsonSplice#replace} consumes its input buffer (the result owns it) and only
 * borrows the replacement.
 */
package dev.llmgateway.json;
