package dev.llmgateway.dialect.anthropic;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.llmgateway.dialect.RequestBodyBytes;
import dev.llmgateway.dialect.Untranslatable;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The value the parser is at, of the type a request member must have, and the errors for what a request cannot
 * be, worded as Anthropic's API words them ({@code <path>: ...}), with the member's path as {@code param}.
 */
final class AnthropicRequestValues {
    /** Anthropic's wording: "expected an array" / "an object", elements as {@code messages.0}. */
    static final RequestBodyBytes.Wording WORDING =
            new RequestBodyBytes.Wording(AnthropicRequestValues::expect, ".", "");

    private AnthropicRequestValues() {
    }

    static void expect(JsonParser p, JsonToken expected, String path) throws Untranslatable {
        if (p.currentToken() != expected) {
            throw invalid(path, path + ": expected " + switch (expected) {
                case START_OBJECT -> "an object";
                case START_ARRAY -> "an array";
                default -> "a string";
            });
        }
    }

    static String string(JsonParser p, String path) throws IOException, Untranslatable {
        if (p.currentToken() != JsonToken.VALUE_STRING) {
            throw invalid(path, path + ": expected a string");
        }
        return p.getText();
    }

    static boolean bool(JsonParser p, String path) throws Untranslatable {
        JsonToken t = p.currentToken();
        if (t != JsonToken.VALUE_TRUE && t != JsonToken.VALUE_FALSE) {
            throw invalid(path, path + ": expected a boolean");
        }
        return t == JsonToken.VALUE_TRUE;
    }

    static double number(JsonParser p, String path) throws IOException, Untranslatable {
        if (!p.currentToken().isNumeric()) {
            throw invalid(path, path + ": expected a number");
        }
        return p.getDoubleValue();
    }

    static long positiveInteger(JsonParser p, String path) throws IOException, Untranslatable {
        if (p.currentToken() != JsonToken.VALUE_NUMBER_INT || p.getLongValue() < 1) {
            throw invalid(path, path + ": expected an integer of at least 1");
        }
        return p.getLongValue();
    }

    static List<String> strings(JsonParser p, String path) throws IOException, Untranslatable {
        expect(p, JsonToken.START_ARRAY, path);
        List<String> values = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
            values.add(string(p, path + "." + values.size()));
        }
        return values;
    }

    static <T> T required(T value, String path, String member) throws Untranslatable {
        if (value == null) {
            throw invalid(path + "." + member, path + "." + member + ": Field required");
        }
        return value;
    }

    static String quoted(String s) {
        return s == null ? "nothing" : "'" + s + "'";
    }

    static Untranslatable invalid(String param, String message) {
        return new Untranslatable("invalid_value", param, message);
    }

    static Untranslatable unsupported(String param, String message) {
        return new Untranslatable("unsupported_value", param, message);
    }
}
