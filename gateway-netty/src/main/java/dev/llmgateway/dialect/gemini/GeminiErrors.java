package dev.llmgateway.dialect.gemini;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.llmgateway.dialect.ApiError;
import dev.llmgateway.dialect.RetryAfter;
import dev.llmgateway.dialect.UpstreamErrors;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;

import java.io.IOException;

/**
 * Turns a Gemini error, {@code {"error":{"code","message","status","details":[...]}}}, into an {@link ApiError}
 * in OpenAI terms for a client of another dialect (TRANSLATION.md §5): the type and status the client's SDK
 * expects, Gemini's status string as the code (unless OpenAI has a better one), Gemini's message.
 */
public final class GeminiErrors {
    private static final String INVALID_REQUEST = "invalid_request_error";
    private static final String SERVER_ERROR = "server_error";

    private GeminiErrors() {
    }

    /**
     * The error a non-2xx Gemini response means. The body is only borrowed: neither released nor read from (its
     * reader index stays). A body that is not a Gemini error object (an HTML page from an edge proxy) gives an
     * error with the status and a message saying so.
     */
    public static ApiError read(int status, HttpHeaders headers, ByteBuf body) {
        try (JsonParser parser = UpstreamErrors.parser(body)) {
            JsonToken token = parser.nextToken();
            // The stream method without alt=sse wraps everything, errors included, in an array.
            if (token == JsonToken.START_ARRAY) {
                token = parser.nextToken();
            }
            if (token == JsonToken.START_OBJECT) {
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    if (parser.nextToken() == JsonToken.START_OBJECT && parser.currentName().equals("error")) {
                        return error(parser, status, RetryAfter.seconds(headers));
                    }
                    parser.skipChildren();
                }
            }
        } catch (IOException notJson) {
            // Falls through to the error saying the body was not Gemini's JSON.
        }
        return UpstreamErrors.notJson(status, headers, body);
    }

    /**
     * Reads the error object the parser is at (its START_OBJECT) to its end. {@code httpStatus} is the response's
     * status, or 0 inside a stream (HTTP 200 already sent): then the body's {@code code} decides, 500 without one.
     */
    static ApiError error(JsonParser parser, int httpStatus, long retryAfterHeader) throws IOException {
        int code = 0;
        String message = null;
        String status = null;
        Details details = new Details();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            JsonToken value = parser.nextToken();
            switch (field) {
                case "code" -> code = value == JsonToken.VALUE_NUMBER_INT ? parser.getIntValue() : 0;
                case "message" -> message = value == JsonToken.VALUE_STRING ? parser.getText() : null;
                case "status" -> status = value == JsonToken.VALUE_STRING ? parser.getText() : null;
                case "details" -> details.read(parser);
                default -> parser.skipChildren();
            }
        }
        int effective = httpStatus > 0 ? httpStatus : code >= 400 && code <= 599 ? code : 500;
        return map(effective, status, details.apiKeyInvalid,
                message != null ? message : "The provider answered HTTP " + effective + " without a message.",
                details.retryAfterSeconds >= 0 ? details.retryAfterSeconds : retryAfterHeader);
    }

    private static ApiError map(int status, String geminiStatus, boolean apiKeyInvalid, String message,
                                long retryAfterSeconds) {
        // Gemini says 400 INVALID_ARGUMENT for a bad key; OpenAI clients expect 401 and treat it as final.
        if (apiKeyInvalid || status == 401) {
            return new ApiError(HttpResponseStatus.UNAUTHORIZED, INVALID_REQUEST, "invalid_api_key", null, message,
                    -1);
        }
        HttpResponseStatus httpStatus = HttpResponseStatus.valueOf(status);
        return switch (status) {
            case 403 -> new ApiError(httpStatus, "permission_error", geminiStatus, null, message, -1);
            // The gateway builds the URL; a 404 from generateContent is an unknown model.
            case 404 -> new ApiError(httpStatus, INVALID_REQUEST, "model_not_found", "model", message, -1);
            case 429 -> new ApiError(httpStatus, "requests", "rate_limit_exceeded", null, message, retryAfterSeconds);
            default -> new ApiError(httpStatus, status >= 500 ? SERVER_ERROR : INVALID_REQUEST, geminiStatus, null,
                    message, status >= 500 ? retryAfterSeconds : -1);
        };
    }

    /** What the {@code details} array says: an ErrorInfo reason and a RetryInfo delay. */
    private static final class Details {
        boolean apiKeyInvalid;
        long retryAfterSeconds = -1;

        void read(JsonParser parser) throws IOException {
            if (parser.currentToken() != JsonToken.START_ARRAY) {
                parser.skipChildren();
                return;
            }
            while (parser.nextToken() != JsonToken.END_ARRAY) {
                if (parser.currentToken() != JsonToken.START_OBJECT) {
                    parser.skipChildren();
                    continue;
                }
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String field = parser.currentName();
                    JsonToken value = parser.nextToken();
                    if (value != JsonToken.VALUE_STRING) {
                        parser.skipChildren();
                    } else if (field.equals("reason")) {
                        apiKeyInvalid |= parser.getText().equals("API_KEY_INVALID");
                    } else if (field.equals("retryDelay")) {
                        retryAfterSeconds = durationSeconds(parser.getText());
                    }
                }
            }
        }
    }

    /** A protobuf Duration in JSON ({@code "34s"}, {@code "0.5s"}) in whole seconds, rounded up; -1 if not one. */
    static long durationSeconds(String duration) {
        if (duration.length() < 2 || duration.charAt(duration.length() - 1) != 's') {
            return -1;
        }
        try {
            double seconds = Double.parseDouble(duration.substring(0, duration.length() - 1));
            return seconds >= 0 && seconds <= Long.MAX_VALUE ? (long) Math.ceil(seconds) : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
