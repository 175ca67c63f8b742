package dev.llmgateway.routing;

/**
 * What the gateway needs from a request body, read in one streaming pass.
 *
 * @param model      the top-level {@code model}
 * @param modelStart absolute index in the request content where the model's JSON string (quotes included) starts
 * @param modelEnd   absolute index just past its closing quote
 * @param stream     {@code "stream": true}
 * @param includeUsage {@code "stream_options": {"include_usage": true}}
 */
public record RequestBody(String model, int modelStart, int modelEnd, boolean stream, boolean includeUsage) {
}
