package dev.llmgateway.dialect.openai;

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
 * Errors of OpenAI and OpenAI-compatible servers (Ollama, vLLM, LiteLLM...) as {@link ApiError}s for a client of
 * another dialect: {@code {"error":{"message","type","param","code"}}} (Ollama: param and code null; vLLM: code
 * an HTTP status number, older builds without the "error" wrapper; FastAPI servers {@code {"detail":"..."}}).
 * The status is kept, except OpenAI's {@code insufficient_quota} 429, which becomes 402: an Anthropic client
 * reads 402 as {@code billing_error} and stops, where on a 429 its SDK retries an exhausted quota that no wait
 * will restore.
 */
public final class OpenAiErrors {
    private static final String QUOTA = "insufficient_quota";

    private OpenAiErrors() {
    }

    /** A non-2xx response; {@code body} stays the caller's. */
    public static ApiError read(int status, HttpHeaders headers, ByteBuf body) {
        long retryAfter = RetryAfter.seconds(headers);
        Fields fields = new Fields();
        try (JsonParser parser = UpstreamErrors.parser(body)) {
            if (parser.nextToken() == JsonToken.START_OBJECT) {
                fields.read(parser);
                return fields.error(status, retryAfter);
            }
        } catch (IOException notJson) {
            // an edge's or a proxy's page: said so below
        }
        return UpstreamErrors.notJson(status, headers, body);
    }

    /**
     * An error sent in a stream after the 200, its status inferred from its type and code. The parser is at the
     * value of the chunk's {@code error} member (OpenAI's {@code {"error":{...}}}, or a bare message string), or
     * at the {@code "error"} of a chunk's {@code "object":"error"} (older vLLM: the error's members follow).
     */
    static ApiError readStreamed(JsonParser parser) throws IOException {
        Fields fields = new Fields();
        if (parser.currentToken() == JsonToken.VALUE_STRING && "error".equals(parser.currentName())) {
            fields.message = parser.getText();
        } else {
            fields.read(parser);
        }
        return fields.error(-1, -1);
    }

    /** What the parts of an error body say; the first of repeated members wins. */
    private static final class Fields {
        String message;
        String type;
        String param;
        String code;
        int statusCode = -1;

        /** Reads members up to the end of the object the parser is in; a nested "error" object adds its own. */
        void read(JsonParser parser) throws IOException {
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                if (value == JsonToken.START_OBJECT && name.equals("error")) {
                    read(parser);
                } else if (value == JsonToken.VALUE_STRING) {
                    String text = parser.getText();
                    switch (name) {
                        case "message", "error", "detail" -> message = message == null ? text : message;
                        case "type" -> type = type == null ? text : type;
                        case "param" -> param = param == null ? text : param;
                        case "code" -> code = code == null ? text : code;
                        default -> { }
                    }
                } else if (value == JsonToken.VALUE_NUMBER_INT && name.equals("code")) {
                    statusCode = parser.getIntValue();
                } else {
                    parser.skipChildren();
                }
            }
        }

        /** @param status the HTTP status, or -1 in a stream (then from the body) */
        ApiError error(int status, long retryAfter) {
            int code = QUOTA.equals(this.code) || QUOTA.equals(type) ? 402
                    : status > 0 ? status
                    : statusCode >= 400 && statusCode <= 599 ? statusCode
                    : streamedStatus();
            return new ApiError(HttpResponseStatus.valueOf(code), type != null ? type : UpstreamErrors.openAiType(code),
                    this.code != null ? this.code : type, param,
                    message != null ? message : "The provider reported an error"
                            + (status > 0 ? " (HTTP " + status + ")" : "") + " without a message.",
                    retryAfter);
        }

        /** A streamed error has no status of its own: the one its code or type stands for; a server error else. */
        private int streamedStatus() {
            int byCode = statusFor(code);
            int byType = statusFor(type);
            return byCode > 0 ? byCode : byType > 0 ? byType : 500;
        }
    }

    /** The status an OpenAI(-compatible) error code or type goes with, or -1. */
    private static int statusFor(String kind) {
        if (kind == null) {
            return -1;
        }
        return switch (kind) {
            case "rate_limit_exceeded", "tokens", "requests", "rate_limit_error" -> 429;
            case "invalid_api_key", "authentication_error" -> 401;
            case "permission_error" -> 403;
            case "model_not_found", "not_found_error" -> 404;
            case "context_length_exceeded", "invalid_request_error", "invalid_value" -> 400;
            case "overloaded_error", "server_overloaded" -> 503;
            default -> -1;
        };
    }
}
