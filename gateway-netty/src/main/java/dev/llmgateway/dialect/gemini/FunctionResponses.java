package dev.llmgateway.dialect.gemini;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import dev.llmgateway.json.Json;

import java.io.IOException;

/**
 * A tool result's text as a {@code functionResponse.response}, which Gemini wants as an object: text that is one
 * JSON object goes as it is; other text is wrapped as {@code {"result": text}}, an error's as {@code {"error": text}}.
 */
final class FunctionResponses {
    private FunctionResponses() {
    }

    static void write(String content, boolean isError, JsonGenerator out) throws IOException {
        if (!isError && Json.isObject(content)) {
            try (JsonParser parser = Json.FACTORY.createParser(content)) {
                parser.nextToken();
                out.copyCurrentStructure(parser);
            }
        } else {
            out.writeStartObject();
            out.writeStringField(isError ? "error" : "result", content);
            out.writeEndObject();
        }
    }
}
