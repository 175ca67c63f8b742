package dev.llmgateway.dialect;

import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;

/** The API a client speaks; it decides the shape of every error the client gets. */
public enum ClientDialect {
    /** {@code {"error":{"message","type","param","code"}}}: all four keys present, param and code may be null. */
    OPENAI {
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
    };

    abstract void writeError(JsonGenerator json, ApiError error, String requestId) throws IOException;
}
