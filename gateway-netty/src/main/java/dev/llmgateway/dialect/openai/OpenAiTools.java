package dev.llmgateway.dialect.openai;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.llmgateway.dialect.RequestEvents;
import dev.llmgateway.dialect.Untranslatable;
import dev.llmgateway.json.ByteSpan;

import java.io.IOException;

import static dev.llmgateway.dialect.openai.OpenAiRequestValues.invalid;
import static dev.llmgateway.dialect.openai.OpenAiRequestValues.invalidType;
import static dev.llmgateway.dialect.openai.OpenAiRequestValues.string;
import static dev.llmgateway.dialect.openai.OpenAiRequestValues.unsupported;

/**
 * Reads {@code tools} ({@code {type:"function", function:{...}}} entries) and legacy {@code functions} (bare
 * definitions) into {@link RequestEvents#tool} calls, and the {@code {type, function}} entry shape that
 * {@code tool_calls} entries share with {@code tools}. Schemas go on as spans into the body.
 */
final class OpenAiTools {
    private final OpenAiBodyBytes body;

    OpenAiTools(OpenAiBodyBytes body) {
        this.body = body;
    }

    /** A {@code {type:"function", function:{...}}} entry of {@code tool_calls} (with an id) or of {@code tools}. */
    record FunctionEntry(String id, ByteSpan function) {
    }

    /** Reads the entry the parser is at; {@code kind} names such entries in the error for another type. */
    static FunctionEntry functionEntry(OpenAiBodyBytes body, JsonParser p, int origin, String path, String kind)
            throws IOException, Untranslatable {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw invalidType(path, "an object");
        }
        String id = null;
        String type = null;
        ByteSpan function = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String member = p.currentName();
            JsonToken value = p.nextToken();
            switch (member) {
                case "id" -> id = string(p, path + ".id");
                case "type" -> type = string(p, path + ".type");
                case "function" -> function = value == JsonToken.START_OBJECT ? body.valueSpan(p, origin) : null;
                default -> p.skipChildren();
            }
        }
        if (type != null && !type.equals("function")) {
            throw unsupported(path + ".type", kind + " of type '" + type + "' cannot be sent to this model; only"
                    + " 'function' can.");
        }
        if (function == null) {
            throw invalid(path + ".function", "Each entry must have a function object.");
        }
        return new FunctionEntry(id, function);
    }

    /** {@code tools} ({@code {type:"function", function:{...}}} entries) or legacy {@code functions} (bare). */
    void read(ByteSpan span, String name, boolean wrapped, RequestEvents out)
            throws IOException, Untranslatable {
        try (JsonParser p = body.parser(span)) {
            p.nextToken();
            int i = 0;
            while (p.nextToken() != JsonToken.END_ARRAY) {
                String path = name + "[" + i++ + "]";
                if (!wrapped) {
                    functionDefinition(p, span.offset(), path, out);
                    continue;
                }
                FunctionEntry tool = functionEntry(body, p, span.offset(), path, "Tools");
                try (JsonParser f = body.parser(tool.function)) {
                    f.nextToken();
                    functionDefinition(f, tool.function.offset(), path + ".function", out);
                }
            }
        }
    }

    /** A {@code {name, description, parameters}} object, the parser at its START_OBJECT. */
    private void functionDefinition(JsonParser p, int origin, String path, RequestEvents out)
            throws IOException, Untranslatable {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw invalidType(path, "an object");
        }
        String name = null;
        String description = null;
        ByteSpan parameters = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String member = p.currentName();
            p.nextToken();
            switch (member) {
                case "name" -> name = string(p, path + ".name");
                case "description" -> description = string(p, path + ".description");
                case "parameters" -> parameters = body.parametersSpan(p, origin, path);
                default -> p.skipChildren();
            }
        }
        if (name == null || name.isEmpty()) {
            throw invalid(path + ".name", "Each function must have a name.");
        }
        out.tool(name, description, parameters);
    }
}
