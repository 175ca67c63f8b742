package dev.llmgateway.dialect.openai;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.llmgateway.dialect.RequestEvents;
import dev.llmgateway.dialect.Untranslatable;
import dev.llmgateway.json.ByteSpan;
import dev.llmgateway.json.Json;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.HashSet;
import java.util.Set;

import static dev.llmgateway.dialect.openai.OpenAiRequestValues.invalid;
import static dev.llmgateway.dialect.openai.OpenAiRequestValues.invalidType;
import static dev.llmgateway.dialect.openai.OpenAiRequestValues.string;
import static dev.llmgateway.dialect.openai.OpenAiRequestValues.unsupported;

/**
 * The {@code tools} of a Responses request: {@code function} tools as they are (Responses puts name, description
 * and parameters on the tool itself), the function tools of a {@code namespace} (Codex groups its sub-agent tools
 * so) as if they stood alone, and freeform {@code custom} tools (Codex's {@code apply_patch}), whose input
 * is one string, as a function of one string parameter {@value #INPUT}; the custom tool's grammar or format, which
 * no other API has, goes into that parameter's description so the model still sees it. The answer gives a call of
 * such a tool back as a {@code custom_tool_call} ({@link ResponsesAnswer}). OpenAI's built-in tools (web search,
 * file search, code interpreter, ...) run inside OpenAI and are refused.
 */
final class ResponsesTools {
    /** The one parameter a custom tool is sent with. */
    static final String INPUT = "input";

    private final OpenAiBodyBytes body;

    ResponsesTools(OpenAiBodyBytes body) {
        this.body = body;
    }

    /** Emits every tool of the array {@code span} holds; returns the custom tools' names. */
    Set<String> read(ByteSpan span, RequestEvents out) throws IOException, Untranslatable {
        Set<String> custom = new HashSet<>(4);
        read(span, "tools", custom, out);
        return custom.isEmpty() ? Set.of() : custom;
    }

    private void read(ByteSpan span, String path, Set<String> custom, RequestEvents out)
            throws IOException, Untranslatable {
        try (JsonParser p = body.parser(span)) {
            p.nextToken();
            int i = 0;
            while (p.nextToken() != JsonToken.END_ARRAY) {
                tool(p, span.offset(), path + "[" + i++ + "]", custom, out);
            }
        }
    }

    /** One tool, the parser at its START_OBJECT; a custom tool's name is added to {@code custom}. */
    private void tool(JsonParser p, int origin, String path, Set<String> custom, RequestEvents out)
            throws IOException, Untranslatable {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw invalidType(path, "an object");
        }
        String type = null;
        String name = null;
        String description = null;
        ByteSpan parameters = null;
        ByteSpan format = null;
        ByteSpan grouped = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String member = p.currentName();
            JsonToken value = p.nextToken();
            switch (member) {
                case "type" -> type = string(p, path + ".type");
                case "name" -> name = string(p, path + ".name");
                case "description" -> description = string(p, path + ".description");
                case "parameters" -> parameters = body.parametersSpan(p, origin, path);
                case "format" -> format = value == JsonToken.START_OBJECT ? body.valueSpan(p, origin) : null;
                case "tools" -> grouped = value == JsonToken.START_ARRAY ? body.valueSpan(p, origin) : null;
                default -> p.skipChildren();
            }
        }
        if (type == null) {
            throw invalid(path + ".type", "Each tool must have a 'type'.");
        }
        if (type.equals("namespace") && grouped != null) {
            read(grouped, path + ".tools", custom, out);
            return;
        }
        if (!type.equals("function") && !type.equals("custom")) {
            throw unsupported(path + ".type", "Tools of type '" + type + "' run inside OpenAI and cannot be used"
                    + " with this model; only 'function', 'custom' and 'namespace' tools can (turn the client's"
                    + " web search or tool search off for this model).");
        }
        if (name == null || name.isEmpty()) {
            throw invalid(path + ".name", "Each tool must have a name.");
        }
        if (type.equals("function")) {
            out.tool(name, description, parameters);
            return;
        }
        out.tool(name, description, inputSchema(format));
        custom.add(name);
    }

    /** {@code {"type":"object","properties":{"input":{"type":"string",...}},"required":["input"]}}. */
    private static ByteSpan inputSchema(ByteSpan format) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (JsonGenerator g = Json.FACTORY.createGenerator(bytes)) {
            g.writeStartObject();
            g.writeStringField("type", "object");
            g.writeObjectFieldStart("properties");
            g.writeObjectFieldStart(INPUT);
            g.writeStringField("type", "string");
            g.writeStringField("description", format == null ? "The tool's input, as raw text."
                    : "The tool's input, as raw text in this format: " + format.utf8());
            g.writeEndObject();
            g.writeEndObject();
            g.writeArrayFieldStart("required");
            g.writeString(INPUT);
            g.writeEndArray();
            g.writeBooleanField("additionalProperties", false);
            g.writeEndObject();
        }
        byte[] schema = bytes.toByteArray();
        return new ByteSpan(schema, 0, schema.length);
    }
}
