package dev.llmgateway.dialect.anthropic;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.llmgateway.dialect.ApiError;
import dev.llmgateway.dialect.RetryAfter;
import dev.llmgateway.dialect.UpstreamErrors;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;

import java.io.IOException;

/**
 * Anthropic's errors ({@code {"type":"error","error":{"type","message"},"request_id"}}, in a body or as a
 * stream's {@code event: error}) for a client of another dialect: the status kept (a 529 "overloaded" becomes
 * OpenAI's 503 when rendered), OpenAI's type for it, Anthropic's type as the code.
 */
public final class AnthropicErrors {
    private AnthropicErrors() {
    }

    /** A non-2xx response body. */
    public static ApiError read(int status, HttpHeaders headers, ByteBuf body) {
        long retryAfter = RetryAfter.seconds(headers);
        String[] typeAndMessage;
        try (JsonParser parser = UpstreamErrors.parser(body)) {
            typeAndMessage = readEnvelope(parser);
        } catch (IOException notJson) {
            typeAndMessage = null;
        }
        if (typeAndMessage == null) {
            return UpstreamErrors.notJson(status, headers, body);
        }
        return error(status, typeAndMessage[0], typeAndMessage[1], retryAfter);
    }

    /** A stream's error event, whose parser stands on the {@code error} object's START_OBJECT. */
    static ApiError readStreamError(JsonParser parser) throws IOException {
        String[] typeAndMessage = readError(parser);
        return error(statusOf(typeAndMessage[0]), typeAndMessage[0], typeAndMessage[1], -1);
    }

    private static ApiError error(int status, String type, String message, long retryAfter) {
        String anthropicType = type == null ? "api_error" : type;
        String text = message == null ? "Provider error (" + anthropicType + ")." : message;
        return switch (anthropicType) {
            case "authentication_error" -> new ApiError(HttpResponseStatus.UNAUTHORIZED, "invalid_request_error",
                    "invalid_api_key", null, text, retryAfter);
            case "rate_limit_error" -> new ApiError(HttpResponseStatus.TOO_MANY_REQUESTS, "requests",
                    "rate_limit_exceeded", null, text, retryAfter);
            // OpenAI clients know "out of credit" as a 429 insufficient_quota, never retried.
            case "billing_error" -> new ApiError(HttpResponseStatus.TOO_MANY_REQUESTS, "insufficient_quota",
                    "insufficient_quota", null, text, retryAfter);
            default -> new ApiError(HttpResponseStatus.valueOf(status),
                    UpstreamErrors.openAiType(status), anthropicType, null, text, retryAfter);
        };
    }

    /** The status Anthropic sends with an error type, for errors that arrive inside a 200 stream. */
    private static int statusOf(String type) {
        return switch (type == null ? "" : type) {
            case "invalid_request_error" -> 400;
            case "authentication_error" -> 401;
            case "billing_error" -> 402;
            case "permission_error" -> 403;
            case "not_found_error" -> 404;
            case "request_too_large" -> 413;
            case "rate_limit_error" -> 429;
            case "timeout_error" -> 504;
            case "overloaded_error" -> 529;
            default -> 500;
        };
    }

    /** {type, message} of the envelope's {@code error}, or null when the body has none. */
    private static String[] readEnvelope(JsonParser parser) throws IOException {
        if (parser.nextToken() != JsonToken.START_OBJECT) {
            return null;
        }
        String[] found = null;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            JsonToken value = parser.nextToken();
            if (name.equals("error") && value == JsonToken.START_OBJECT) {
                found = readError(parser);
            } else {
                parser.skipChildren();
            }
        }
        return found;
    }

    private static String[] readError(JsonParser parser) throws IOException {
        String[] typeAndMessage = new String[2];
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            JsonToken value = parser.nextToken();
            if (value == JsonToken.VALUE_STRING && name.equals("type")) {
                typeAndMessage[0] = parser.getText();
            } else if (value == JsonToken.VALUE_STRING && name.equals("message")) {
                typeAndMessage[1] = parser.getText();
            } else {
                parser.skipChildren();
            }
        }
        return typeAndMessage;
    }
}
