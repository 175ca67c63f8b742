package dev.llmgateway.dialect.gemini;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.llmgateway.dialect.RequestBodyBytes;
import dev.llmgateway.dialect.Untranslatable;
import dev.llmgateway.json.ByteSpan;
import dev.llmgateway.json.Json;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A Gemini request's values, read with Google's wording for what is wrong with them, and its schemas as JSON Schema.
 */
final class GeminiRequestValues {
    /** Google's wording: "expected a list" / "an object", elements as {@code contents[0]}. */
    static final RequestBodyBytes.Wording WORDING =
            new RequestBodyBytes.Wording(GeminiRequestValues::expect, "[", "]");

    private GeminiRequestValues() {
    }

    static void expect(JsonParser p, JsonToken expected, String path) throws Untranslatable {
        if (p.currentToken() != expected) {
            throw invalid(path, "Invalid JSON payload received. " + path + ": expected "
                    + (expected == JsonToken.START_ARRAY ? "a list" : "an object") + ".");
        }
    }

    static String string(JsonParser p, String path) throws IOException, Untranslatable {
        if (p.currentToken() != JsonToken.VALUE_STRING) {
            throw invalid(path, "Invalid JSON payload received. " + path + ": expected a string.");
        }
        return p.getText();
    }

    static double number(JsonParser p, String path) throws IOException, Untranslatable {
        if (!p.currentToken().isNumeric()) {
            throw invalid(path, "Invalid JSON payload received. " + path + ": expected a number.");
        }
        return p.getDoubleValue();
    }

    static long integer(JsonParser p, String path) throws IOException, Untranslatable {
        if (p.currentToken() != JsonToken.VALUE_NUMBER_INT || p.getLongValue() < 0) {
            throw invalid(path, "Invalid JSON payload received. " + path + ": expected a non-negative integer.");
        }
        return p.getLongValue();
    }

    static List<String> strings(JsonParser p, String path) throws IOException, Untranslatable {
        expect(p, JsonToken.START_ARRAY, path);
        List<String> values = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
            values.add(string(p, path + "[" + values.size() + "]"));
        }
        return values;
    }

    static Untranslatable invalid(String param, String message) {
        return new Untranslatable("invalid_value", param, message);
    }

    static Untranslatable unsupported(String param, String message) {
        return new Untranslatable("unsupported_value", param, message);
    }

    /**
     * Google's OpenAPI schema subset as JSON Schema: the same object with each {@code type} (written in capitals,
     * {@code OBJECT}) in lower case. A new array, read like the body's.
     */
    static ByteSpan openApiSchema(ByteSpan schema) throws IOException {
        ByteArrayOutputStream copy = new ByteArrayOutputStream(schema.length());
        try (JsonParser in = Json.FACTORY.createParser(schema.bytes(), schema.offset(), schema.length());
             JsonGenerator g = Json.FACTORY.createGenerator(copy)) {
            boolean typeNext = false;
            boolean inTypeArray = false;
            JsonToken token;
            while ((token = in.nextToken()) != null) {
                if (token == JsonToken.VALUE_STRING && (typeNext || inTypeArray)) {
                    g.writeString(in.getText().toLowerCase(Locale.ROOT));
                } else {
                    g.copyCurrentEvent(in);
                }
                inTypeArray = token == JsonToken.START_ARRAY ? typeNext : inTypeArray && token != JsonToken.END_ARRAY;
                typeNext = token == JsonToken.FIELD_NAME && in.currentName().equals("type");
            }
        }
        byte[] bytes = copy.toByteArray();
        return new ByteSpan(bytes, 0, bytes.length);
    }
}
