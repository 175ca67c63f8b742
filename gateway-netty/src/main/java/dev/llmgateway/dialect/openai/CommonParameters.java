package dev.llmgateway.dialect.openai;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.llmgateway.dialect.RequestEvents;
import dev.llmgateway.dialect.ResponseFormat;
import dev.llmgateway.dialect.ToolChoice;
import dev.llmgateway.dialect.Untranslatable;
import dev.llmgateway.json.ByteSpan;

import java.io.IOException;
import java.util.List;

import static dev.llmgateway.dialect.openai.OpenAiRequestValues.bool;
import static dev.llmgateway.dialect.openai.OpenAiRequestValues.invalid;
import static dev.llmgateway.dialect.openai.OpenAiRequestValues.invalidType;
import static dev.llmgateway.dialect.openai.OpenAiRequestValues.number;
import static dev.llmgateway.dialect.openai.OpenAiRequestValues.string;
import static dev.llmgateway.dialect.openai.OpenAiRequestValues.toolChoiceMode;
import static dev.llmgateway.dialect.openai.OpenAiRequestValues.unsupported;

/**
 * The parameters chat completions ({@link OpenAiParameters}) and Responses ({@link ResponsesParameters}) share,
 * read and emitted once for both: each dialect reads its own spellings (tool choice, token limit, output format)
 * into these fields and the plain ones with {@link #read}.
 */
final class CommonParameters {
    ToolChoice toolChoice;
    String toolChoiceName;
    Long maxTokens;
    ResponseFormat format;
    String formatName;
    ByteSpan formatSchema;
    String reasoningEffort;
    boolean stream;
    private Boolean parallelToolCalls;
    private Double temperature;
    private Double topP;
    private String user;
    private String safetyIdentifier;

    /** Reads {@code name} if it is one of the plain shared parameters (the parser at its value); false if not. */
    boolean read(JsonParser p, String name) throws IOException, Untranslatable {
        switch (name) {
            case "parallel_tool_calls" -> parallelToolCalls = bool(p, name);
            case "temperature" -> temperature = number(p, name);
            case "top_p" -> topP = number(p, name);
            case "user" -> user = string(p, name);
            case "safety_identifier" -> safetyIdentifier = string(p, name);
            case "stream" -> stream = bool(p, name);
            default -> {
                return false;
            }
        }
        return true;
    }

    /** Reads one member of a {@code tool_choice} object other than {@code type}, the parser at its value. */
    @FunctionalInterface
    interface ToolChoiceMember {
        void read(String member, JsonParser p) throws IOException, Untranslatable;
    }

    /**
     * {@code tool_choice}: a mode string, or an object naming one tool: its {@code type} must be one of
     * {@code types} ({@code typesInWords} says which in the error), its other members are the dialect's
     * ({@code member} sets {@link #toolChoiceName}, which {@code nameParam} names when it is missing).
     */
    void readToolChoice(JsonParser p, ToolChoiceMember member, String nameParam, String typesInWords,
                        String... types) throws IOException, Untranslatable {
        if (p.currentToken() == JsonToken.VALUE_STRING) {
            toolChoice = toolChoiceMode(p.getText());
            return;
        }
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw invalidType("tool_choice", "a string or an object");
        }
        String type = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            p.nextToken();
            if (name.equals("type")) {
                type = string(p, "tool_choice.type");
            } else {
                member.read(name, p);
            }
        }
        if (!List.of(types).contains(type)) {
            throw unsupported("tool_choice.type", "Only " + typesInWords + " can be translated for this model; got '"
                    + type + "'.");
        }
        if (toolChoiceName == null) {
            throw invalid(nameParam, nameParam + " is required.");
        }
        toolChoice = ToolChoice.TOOL;
    }

    /** An output format's {@code type} ({@code param} names it in errors); "text" is no format at all. */
    void formatType(String type, String param) throws Untranslatable {
        if (type == null) {
            throw invalid(param, param + " is required.");
        }
        format = switch (type) {
            case "text" -> null;
            case "json_object" -> ResponseFormat.JSON_OBJECT;
            case "json_schema" -> ResponseFormat.JSON_SCHEMA;
            default -> throw invalid(param, "Invalid value: '" + type
                    + "'. Supported values are: 'text', 'json_object' and 'json_schema'.");
        };
    }

    /** Emits tool choice, parallel tool calls, the token limit and the sampling parameters given. */
    void emitFirst(RequestEvents out) throws Untranslatable {
        if (toolChoice != null) {
            out.toolChoice(toolChoice, toolChoiceName);
        }
        if (parallelToolCalls != null) {
            out.parallelToolCalls(parallelToolCalls);
        }
        if (maxTokens != null) {
            out.maxTokens(maxTokens);
        }
        if (temperature != null) {
            out.temperature(temperature);
        }
        if (topP != null) {
            out.topP(topP);
        }
    }

    /** Emits the end user ({@code safety_identifier} over {@code user}), format, reasoning effort and streaming. */
    void emitLast(RequestEvents out, boolean includeUsage) throws Untranslatable {
        String endUser = safetyIdentifier != null ? safetyIdentifier : user;
        if (endUser != null) {
            out.user(endUser);
        }
        if (format != null) {
            boolean schema = format == ResponseFormat.JSON_SCHEMA;
            out.responseFormat(format, schema ? formatName : null, schema ? formatSchema : null);
        }
        if (reasoningEffort != null) {
            out.reasoningEffort(reasoningEffort, -1);
        }
        if (stream) {
            out.stream(includeUsage);
        }
    }
}
