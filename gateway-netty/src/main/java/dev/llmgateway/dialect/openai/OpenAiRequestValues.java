package dev.llmgateway.dialect.openai;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.llmgateway.dialect.ToolChoice;
import dev.llmgateway.dialect.Untranslatable;

import java.io.IOException;

/**
 * The value the parser is at, of the type a request member must have, and the errors for what a request cannot
 * be: OpenAI's own codes and wording, with the member's path as {@code param}.
 */
final class OpenAiRequestValues {
    private OpenAiRequestValues() {
    }

    static String string(JsonParser p, String param) throws IOException, Untranslatable {
        return switch (p.currentToken()) {
            case VALUE_STRING -> p.getText();
            case VALUE_NULL -> null;
            default -> throw invalidType(param, "a string");
        };
    }

    static boolean bool(JsonParser p, String param) throws Untranslatable {
        return switch (p.currentToken()) {
            case VALUE_TRUE -> true;
            case VALUE_FALSE -> false;
            default -> throw invalidType(param, "a boolean");
        };
    }

    static long integer(JsonParser p, String param) throws IOException, Untranslatable {
        if (p.currentToken() != JsonToken.VALUE_NUMBER_INT) {
            throw invalidType(param, "an integer");
        }
        return p.getLongValue();
    }

    static double number(JsonParser p, String param) throws IOException, Untranslatable {
        if (!p.currentToken().isNumeric()) {
            throw invalidType(param, "a number");
        }
        return p.getDoubleValue();
    }

    static Untranslatable invalidMessages() {
        return invalid("messages", "'messages' must be a non-empty array of message objects.");
    }

    /** {@code tool_choice} given as a string, which chat completions and Responses spell alike. */
    static ToolChoice toolChoiceMode(String text) throws Untranslatable {
        return switch (text) {
            case "auto" -> ToolChoice.AUTO;
            case "none" -> ToolChoice.NONE;
            case "required" -> ToolChoice.REQUIRED;
            default -> throw invalid("tool_choice", "Invalid value: '" + text
                    + "'. Supported values are: 'none', 'auto' and 'required'.");
        };
    }

    static Untranslatable invalid(String param, String message) {
        return new Untranslatable("invalid_value", param, message);
    }

    static Untranslatable invalidType(String param, String expected) {
        return new Untranslatable("invalid_type", param, "Invalid type for '" + param + "': expected " + expected
                + ".");
    }

    /** A body Jackson could not parse (its own words on where) or not read at all. */
    static Untranslatable unreadableBody(IOException e) {
        return invalid(null, e instanceof JsonProcessingException parse
                ? "We could not parse the JSON body of your request: " + parse.getOriginalMessage()
                : "We could not read the JSON body of your request.");
    }

    static Untranslatable unsupported(String param, String message) {
        return new Untranslatable("unsupported_value", param, message);
    }

    /**
     * A content part's {@code type} and its text, the parser at its object (which it then leaves): a
     * {@code refusal} part's {@code refusal}, any other part's {@code text}.
     */
    static TextPart textPart(JsonParser p, String path) throws IOException, Untranslatable {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw invalidType(path, "an object");
        }
        String type = null;
        String text = null;
        String refusal = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String member = p.currentName();
            p.nextToken();
            switch (member) {
                case "type" -> type = string(p, path + ".type");
                case "text" -> text = string(p, path + ".text");
                case "refusal" -> refusal = string(p, path + ".refusal");
                default -> p.skipChildren();
            }
        }
        return new TextPart(type, "refusal".equals(type) ? refusal : text);
    }

    record TextPart(String type, String text) {
    }

    /** A text content part's text, which it must have. */
    static String requireText(String text, String path) throws Untranslatable {
        if (text == null) {
            throw invalid(path + ".text", "A text content part must have text.");
        }
        return text;
    }
}
