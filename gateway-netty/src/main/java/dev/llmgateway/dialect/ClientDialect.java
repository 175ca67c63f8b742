package dev.llmgateway.dialect;

import com.fasterxml.jackson.core.JsonGenerator;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.AsciiString;

import java.io.IOException;

/** The API a client speaks; it decides the shape of every error the client gets, in a body or in a stream. */
public enum ClientDialect {
    /**
     * {@code {"error":{"message","type","param","code"}}}: all four keys present, param and code may be null; in a
     * stream, the same object as a {@code data:} event. OpenAI has no 529: an overloaded provider is a 503.
     */
    OPENAI(null, null) {
        @Override
        void writeError(JsonGenerator json, ApiError error, String requestId) throws IOException {
            json.writeStartObject();
            json.writeObjectFieldStart("error");
            json.writeStringField("message", error.message());
            json.writeStringField("type", error.type());
            json.writeStringField("param", error.param());
            json.writeStringField("code", error.code());
            json.writeEndObject();
            json.writeEndObject();
        }

        @Override
        public HttpResponseStatus status(ApiError error) {
            return error.status().code() == OVERLOADED ? HttpResponseStatus.SERVICE_UNAVAILABLE : error.status();
        }
    },
    /**
     * OpenAI's Responses API ({@code /v1/responses}): errors as {@link #OPENAI}'s; in a stream, that object as an
     * {@code event: error}, which the openai SDKs raise (a translated stream writes its own {@code error} and
     * {@code response.failed} events, {@code ResponsesEventEncoder}).
     */
    RESPONSES(AsciiString.cached("error"), null) {
        @Override
        void writeError(JsonGenerator json, ApiError error, String requestId) throws IOException {
            OPENAI.writeError(json, error, requestId);
        }

        @Override
        public HttpResponseStatus status(ApiError error) {
            return OPENAI.status(error);
        }
    },
    /**
     * {@code {"type":"error","error":{"type","message"},"request_id"}} with Anthropic's error type for the status;
     * in a stream, the same object as an {@code event: error}.
     */
    ANTHROPIC(AsciiString.cached("error"), AsciiString.cached("request-id")) {
        @Override
        void writeError(JsonGenerator json, ApiError error, String requestId) throws IOException {
            json.writeStartObject();
            json.writeStringField("type", "error");
            json.writeObjectFieldStart("error");
            json.writeStringField("type", anthropicType(error.status().code()));
            json.writeStringField("message", error.message());
            json.writeEndObject();
            json.writeStringField("request_id", requestId);
            json.writeEndObject();
        }

        @Override
        public HttpResponseStatus status(ApiError error) {
            return error.status();
        }
    },
    /**
     * Google's {@code {"error":{"code","message","status"}}} with the canonical status name for the HTTP status
     * (the {@code @google/genai} SDKs and Gemini CLI read {@code code} and {@code status}); in a stream, the same
     * object as a {@code data:} event, as Gemini's own stream carries one. Google has no 529: a 503.
     */
    GEMINI(null, null) {
        @Override
        void writeError(JsonGenerator json, ApiError error, String requestId) throws IOException {
            int code = status(error).code();
            json.writeStartObject();
            json.writeObjectFieldStart("error");
            json.writeNumberField("code", code);
            json.writeStringField("message", error.message());
            json.writeStringField("status", googleStatus(code));
            json.writeEndObject();
            json.writeEndObject();
        }

        @Override
        public HttpResponseStatus status(ApiError error) {
            return error.status().code() == OVERLOADED ? HttpResponseStatus.SERVICE_UNAVAILABLE : error.status();
        }
    };

    /** Anthropic's "overloaded" status. */
    public static final int OVERLOADED = 529;

    private final AsciiString streamEventName;
    /** The dialect's own request id header, besides x-request-id; null when x-request-id is its own. */
    private final AsciiString requestIdHeader;

    ClientDialect(AsciiString streamEventName, AsciiString requestIdHeader) {
        this.streamEventName = streamEventName;
        this.requestIdHeader = requestIdHeader;
    }

    /**
     * Names the gateway's request id in {@code headers} where this client's SDK reads it: {@code x-request-id}
     * (OpenAI's SDKs, and the gateway's documented header for every client), and Anthropic's {@code request-id},
     * which the Anthropic SDKs report as a response's or error's request id.
     */
    public void identify(HttpHeaders headers, String requestId) {
        headers.set(ErrorResponses.REQUEST_ID_HEADER, requestId);
        if (requestIdHeader != null) {
            headers.set(requestIdHeader, requestId);
        }
    }

    abstract void writeError(JsonGenerator json, ApiError error, String requestId) throws IOException;

    /** The status this client is sent for {@code error}. */
    public abstract HttpResponseStatus status(ApiError error);

    /** The SSE {@code event:} name of an error in a stream, or null for a bare {@code data:} event. */
    AsciiString streamEventName() {
        return streamEventName;
    }

    /** Anthropic's error types by status (platform.claude.com/docs/en/api/errors). */
    static String anthropicType(int status) {
        return switch (status) {
            case 401 -> "authentication_error";
            case 402 -> "billing_error";
            case 403 -> "permission_error";
            case 404 -> "not_found_error";
            case 413 -> "request_too_large";
            case 429 -> "rate_limit_error";
            case 503, OVERLOADED -> "overloaded_error";
            case 504 -> "timeout_error";
            default -> status >= 500 ? "api_error" : "invalid_request_error";
        };
    }

    /** Google's canonical status names by HTTP status (cloud.google.com/apis/design/errors). */
    static String googleStatus(int status) {
        return switch (status) {
            case 401 -> "UNAUTHENTICATED";
            case 403 -> "PERMISSION_DENIED";
            case 404 -> "NOT_FOUND";
            case 409 -> "ABORTED";
            case 429 -> "RESOURCE_EXHAUSTED";
            case 499 -> "CANCELLED";
            case 501 -> "UNIMPLEMENTED";
            case 502, 503 -> "UNAVAILABLE";
            case 408, 504 -> "DEADLINE_EXCEEDED";
            default -> status >= 500 ? "INTERNAL" : "INVALID_ARGUMENT";
        };
    }
}
