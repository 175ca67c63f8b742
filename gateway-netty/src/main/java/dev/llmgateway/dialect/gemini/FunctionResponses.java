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
        if (!isError && isJsonObject(content)) {
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

    /** Whether {@code text} is exactly one JSON object (then Gemini gets it as the response object itself). */
    private static boolean isJsonObject(String text) {
        int first = 0;
        while (first < text.length() && Character.isWhitespace(text.charAt(first))) {
            first++;
        }
        if (first == text.length() || text.charAt(first) != '{') {
            return false;
        }
        try (JsonParser parser = Json.FACTORY.createParser(text)) {
            parser.nextToken();
            parser.skipChildren();
            return parser.nextToken() == null;
        } catch (IOException notJson) {
            return false;
        }
    }
}
