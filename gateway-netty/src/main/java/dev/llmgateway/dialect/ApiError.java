package dev.llmgateway.dialect;

import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * An error the gateway itself makes, in dialect-neutral terms. {@link ErrorResponses} renders it in the
 * client's dialect; the constructors below are the single catalogue of gateway-made errors (docs/ARCHITECTURE.md §9).
 *
 * @param retryAfterSeconds value for {@code Retry-After}, or -1 for none
 */
public record ApiError(HttpResponseStatus status, String type, String code, String param, String message,
                       long retryAfterSeconds) {

    public static ApiError badRequest(String code, String param, String message) {
        return new ApiError(HttpResponseStatus.BAD_REQUEST, "invalid_request_error", code, param, message, -1);
    }

    public static ApiError missingApiKey() {
        return new ApiError(HttpResponseStatus.UNAUTHORIZED, "invalid_request_error", "missing_api_key", null,
                "You didn't provide an API key. Send it as 'Authorization: Bearer <key>' or 'x-api-key: <key>'.", -1);
    }

    public static ApiError invalidApiKey() {
        return new ApiError(HttpResponseStatus.UNAUTHORIZED, "invalid_request_error", "invalid_api_key", null,
                "Incorrect API key provided.", -1);
    }

    public static ApiError modelNotAllowed(String model) {
        return new ApiError(HttpResponseStatus.FORBIDDEN, "permission_error", "model_not_allowed", "model",
                "This API key may not use the model '" + model + "'.", -1);
    }

    public static ApiError modelNotFound(String model) {
        return new ApiError(HttpResponseStatus.NOT_FOUND, "invalid_request_error", "model_not_found", "model",
                "The model '" + model + "' does not exist or is not served by this gateway.", -1);
    }

    public static ApiError unknownUrl(String method, String path) {
        return new ApiError(HttpResponseStatus.NOT_FOUND, "invalid_request_error", "unknown_url", null,
                "Invalid URL (" + method + " " + path + ").", -1);
    }

    public static ApiError methodNotAllowed(String method, String path) {
        return new ApiError(HttpResponseStatus.METHOD_NOT_ALLOWED, "invalid_request_error", "method_not_allowed", null,
                "Method " + method + " is not allowed for " + path + ".", -1);
    }

    public static ApiError bodyTooLarge(long limit) {
        return new ApiError(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "invalid_request_error", "request_too_large",
                null, "The request body is larger than the limit of " + limit + " bytes.", -1);
    }

    public static ApiError unsupportedMediaType(String contentType) {
        return new ApiError(HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE, "invalid_request_error",
                "unsupported_media_type", null,
                "Expected 'Content-Type: application/json', got '" + contentType + "'.", -1);
    }

    public static ApiError malformedRequest(HttpResponseStatus status, String message) {
        return new ApiError(status, "invalid_request_error", "malformed_request", null, message, -1);
    }

    /** An {@code Expect} other than {@code 100-continue}. */
    public static ApiError expectationFailed() {
        return new ApiError(HttpResponseStatus.EXPECTATION_FAILED, "invalid_request_error", "expectation_failed",
                null, "The only expectation the gateway meets is 'Expect: 100-continue'.", -1);
    }

    /** A request line of another major HTTP version than 1 (an HTTP/2 preface, HTTP/9.9). */
    public static ApiError httpVersionNotSupported(String version) {
        return new ApiError(HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED, "invalid_request_error",
                "http_version_not_supported", null,
                version + " is not supported: the gateway speaks HTTP/1.1 (and HTTP/1.0).", -1);
    }

    /** A transfer coding other than chunked: the body cannot be read (RFC 9112 §6.1). */
    public static ApiError transferCodingNotImplemented(String coding) {
        return new ApiError(HttpResponseStatus.NOT_IMPLEMENTED, "invalid_request_error",
                "unsupported_transfer_encoding", null, "The transfer coding '" + coding
                        + "' is not implemented: send the body with Content-Length or chunked.", -1);
    }

    public static ApiError endpointNotSupported(String model, String provider, String path) {
        return badRequest("unsupported_endpoint", "model",
                "The model '" + model + "' (provider '" + provider + "') does not support " + path + ".");
    }

    public static ApiError upstreamUnreachable(String provider, String reason) {
        return new ApiError(HttpResponseStatus.BAD_GATEWAY, "server_error", "upstream_unreachable", null,
                "The gateway could not reach provider '" + provider + "': " + reason + ".", -1);
    }

    public static ApiError upstreamBroken(String provider, String reason) {
        return new ApiError(HttpResponseStatus.BAD_GATEWAY, "server_error", "upstream_error", null,
                "Provider '" + provider + "' failed: " + reason + ".", -1);
    }

    public static ApiError upstreamTimeout(String provider, String which) {
        return new ApiError(HttpResponseStatus.GATEWAY_TIMEOUT, "server_error", "upstream_timeout", null,
                "Provider '" + provider + "' did not answer in time (" + which + ").", -1);
    }

    /** Every upstream key of the provider is resting after 429s or auth failures; OpenAI's rate-limit shape. */
    public static ApiError upstreamKeysCooling(String provider, long retryAfterSeconds) {
        return new ApiError(HttpResponseStatus.TOO_MANY_REQUESTS, "requests", "rate_limit_exceeded", null,
                "Every upstream key of provider '" + provider + "' is rate-limited; retry after "
                        + retryAfterSeconds + " s.", retryAfterSeconds);
    }

    /**
     * A gateway key is over one of its own limits; OpenAI's rate-limit shape, {@code type} "requests" or "tokens"
     * saying which kind.
     */
    public static ApiError keyRateLimited(String type, String reason, long retryAfterSeconds) {
        return new ApiError(HttpResponseStatus.TOO_MANY_REQUESTS, type, "rate_limit_exceeded", null,
                reason + "; retry after " + retryAfterSeconds + " s.", retryAfterSeconds);
    }

    /**
     * The provider refused the gateway's own credentials (401/403, or Gemini's API_KEY_INVALID): the gateway's fault,
     * not the client's key nor a rate limit, so no Retry-After. 502 when this request's attempt was refused, 503 when
     * every key of the provider rests after such a refusal and the request was not sent.
     */
    public static ApiError upstreamCredentialsRejected(String provider, boolean everyKeyResting) {
        return new ApiError(everyKeyResting ? HttpResponseStatus.SERVICE_UNAVAILABLE : HttpResponseStatus.BAD_GATEWAY,
                "server_error", "upstream_credentials_rejected", null,
                "Provider '" + provider + "' rejected the gateway's credentials"
                        + (everyKeyResting ? "; every key of it is resting, so the request was not sent" : "")
                        + ". The gateway's operator must fix its provider key; retrying will not help until then.",
                -1);
    }

    /**
     * The key's limits are kept in shared state (Redis) that cannot answer, and {@code [shared] on_unavailable} is
     * {@code deny}: the request is refused rather than let through uncounted.
     */
    public static ApiError sharedLimitsUnavailable() {
        return new ApiError(HttpResponseStatus.SERVICE_UNAVAILABLE, "server_error", "limits_unavailable", null,
                "The gateway cannot reach the shared state that holds this key's limits; try again shortly.", 1);
    }

    /** A key's or its team's USD budget cannot take the request (docs/ARCHITECTURE.md §2, {@code budget}). */
    public static ApiError budgetExceeded(String reason, long retryAfterSeconds) {
        // The code leads the message too: Anthropic's error shape has no code member.
        return new ApiError(HttpResponseStatus.TOO_MANY_REQUESTS, "budget_exceeded", "budget_exceeded", null,
                "budget_exceeded: " + reason + "; retry after " + retryAfterSeconds + " s.", retryAfterSeconds);
    }

    /** Every provider that could serve the model has its circuit open: the gateway did not call any of them. */
    public static ApiError allUpstreamsOpen(String model) {
        return new ApiError(HttpResponseStatus.SERVICE_UNAVAILABLE, "server_error", "upstream_circuit_open", null,
                "Every provider for model '" + model + "' is failing and paused (circuit open); try again later.",
                -1);
    }

    public static ApiError requestTimeout() {
        return new ApiError(HttpResponseStatus.REQUEST_TIMEOUT, "invalid_request_error", "request_timeout", null,
                "The client did not send the whole request in time.", -1);
    }

    public static ApiError draining() {
        return new ApiError(HttpResponseStatus.SERVICE_UNAVAILABLE, "server_error", "draining", null,
                "The gateway is shutting down and could not finish this request in time; retry it.", -1);
    }

    public static ApiError internal(String message) {
        return new ApiError(HttpResponseStatus.INTERNAL_SERVER_ERROR, "server_error", "internal_error", null,
                message, -1);
    }
}
