package dev.llmgateway.dialect.openai;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.llmgateway.dialect.RequestEvents;
import dev.llmgateway.dialect.ToolChoice;
import dev.llmgateway.dialect.Untranslatable;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static dev.llmgateway.dialect.openai.OpenAiRequestValues.bool;
import static dev.llmgateway.dialect.openai.OpenAiRequestValues.integer;
import static dev.llmgateway.dialect.openai.OpenAiRequestValues.invalid;
import static dev.llmgateway.dialect.openai.OpenAiRequestValues.invalidType;
import static dev.llmgateway.dialect.openai.OpenAiRequestValues.number;
import static dev.llmgateway.dialect.openai.OpenAiRequestValues.string;

/**
 * The parameters of an OpenAI request, read as they come (first pass) and emitted after the conversation and
 * tools in the order {@link RequestEvents} wants. Of two spellings of one parameter the newer wins
 * ({@code tool_choice} over {@code function_call}, {@code max_completion_tokens} over {@code max_tokens},
 * {@code safety_identifier} over {@code user}). Parameters whose silent loss changes what the client gets back
 * ({@code logprobs}, {@code logit_bias}, audio output, {@code web_search_options}) are refused.
 */
final class OpenAiParameters {
    private final OpenAiBodyBytes body;
    private final CommonParameters common = new CommonParameters();
    private ToolChoice functionCall;
    private String functionCallName;
    private Long legacyMaxTokens;
    private Long topK;
    private Double presencePenalty;
    private Double frequencyPenalty;
    private List<String> stop;
    private Long n;
    private Long seed;
    private boolean includeUsage;

    OpenAiParameters(OpenAiBodyBytes body) {
        this.body = body;
    }

    /** A top-level parameter; the parser is at its (non-null) value, which it skips if it is no parameter. */
    void read(JsonParser p, String name, int origin) throws IOException, Untranslatable {
        if (common.read(p, name)) {
            return;
        }
        switch (name) {
            case "tool_choice" -> readToolChoice(p);
            case "function_call" -> readFunctionCallChoice(p);
            case "max_completion_tokens" -> common.maxTokens = integer(p, name);
            case "max_tokens" -> legacyMaxTokens = integer(p, name);
            case "top_k" -> topK = integer(p, name);
            case "presence_penalty" -> presencePenalty = number(p, name);
            case "frequency_penalty" -> frequencyPenalty = number(p, name);
            case "stop" -> stop = stops(p);
            case "n" -> n = integer(p, name);
            case "seed" -> seed = integer(p, name);
            case "response_format" -> readResponseFormat(p, origin);
            case "reasoning_effort" -> common.reasoningEffort = string(p, name);
            case "stream_options" -> readStreamOptions(p);
            case "logprobs" -> refuseIf(bool(p, name), name, "Log probabilities are not available for this model.");
            case "top_logprobs" -> refuseIf(integer(p, name) > 0, name,
                    "Log probabilities are not available for this model.");
            case "logit_bias" -> refuseIf(nonEmptyObject(p, name), name,
                    "logit_bias is not supported for this model.");
            case "audio" -> refuseIf(true, name, "Audio output is not supported for this model.");
            case "modalities" -> refuseIf(modalitiesBeyondText(p), name,
                    "Only text output is supported for this model.");
            case "web_search_options" -> refuseIf(true, name, "Web search is not supported for this model.");
            default -> p.skipChildren();
        }
    }


    private void readToolChoice(JsonParser p) throws IOException, Untranslatable {
        common.readToolChoice(p, (member, value) -> {
            if (member.equals("function") && value.currentToken() == JsonToken.START_OBJECT) {
                common.toolChoiceName = functionName(value, "tool_choice.function.name");
            } else {
                value.skipChildren();
            }
        }, "tool_choice.function.name", "tool_choice of type 'function'", "function");
    }

    /** Legacy {@code function_call}: "auto", "none" or {@code {name}}. */
    private void readFunctionCallChoice(JsonParser p) throws IOException, Untranslatable {
        if (p.currentToken() == JsonToken.VALUE_STRING) {
            functionCall = switch (p.getText()) {
                case "auto" -> ToolChoice.AUTO;
                case "none" -> ToolChoice.NONE;
                default -> throw invalid("function_call", "Invalid value: '" + p.getText()
                        + "'. Supported values are: 'none', 'auto' and {\"name\": ...}.");
            };
            return;
        }
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw invalidType("function_call", "a string or an object");
        }
        functionCallName = functionName(p, "function_call.name");
        if (functionCallName == null) {
            throw invalid("function_call.name", "function_call.name is required.");
        }
        functionCall = ToolChoice.TOOL;
    }

    /** The {@code name} member of the object the parser is at (which it then leaves). */
    private static String functionName(JsonParser p, String param) throws IOException, Untranslatable {
        String name = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            boolean isName = p.currentName().equals("name");
            p.nextToken();
            if (isName) {
                name = string(p, param);
            } else {
                p.skipChildren();
            }
        }
        return name;
    }

    private void readResponseFormat(JsonParser p, int origin) throws IOException, Untranslatable {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw invalidType("response_format", "an object");
        }
        String type = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String member = p.currentName();
            p.nextToken();
            if (member.equals("type")) {
                type = string(p, "response_format.type");
            } else if (member.equals("json_schema") && p.currentToken() == JsonToken.START_OBJECT) {
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String field = p.currentName();
                    JsonToken value = p.nextToken();
                    if (field.equals("name")) {
                        common.formatName = string(p, "response_format.json_schema.name");
                    } else if (field.equals("schema") && value != JsonToken.VALUE_NULL) {
                        common.formatSchema = body.valueSpan(p, origin);
                    } else {
                        p.skipChildren();
                    }
                }
            } else {
                p.skipChildren();
            }
        }
        common.formatType(type, "response_format.type");
    }

    private void readStreamOptions(JsonParser p) throws IOException, Untranslatable {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw invalidType("stream_options", "an object");
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            boolean usage = p.currentName().equals("include_usage");
            p.nextToken();
            if (usage && p.currentToken() != JsonToken.VALUE_NULL) {
                includeUsage = bool(p, "stream_options.include_usage");
            } else {
                p.skipChildren();
            }
        }
    }

    private static List<String> stops(JsonParser p) throws IOException, Untranslatable {
        if (p.currentToken() == JsonToken.VALUE_STRING) {
            return List.of(p.getText());
        }
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw invalidType("stop", "a string or an array of strings");
        }
        List<String> stops = new ArrayList<>(4);
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (p.currentToken() != JsonToken.VALUE_STRING) {
                throw invalidType("stop", "a string or an array of strings");
            }
            stops.add(p.getText());
        }
        return stops;
    }

    private static boolean nonEmptyObject(JsonParser p, String name) throws IOException, Untranslatable {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw invalidType(name, "an object");
        }
        boolean empty = true;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            empty = false;
            p.nextToken();
            p.skipChildren();
        }
        return !empty;
    }

    private static boolean modalitiesBeyondText(JsonParser p) throws IOException, Untranslatable {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw invalidType("modalities", "an array of strings");
        }
        boolean beyond = false;
        while (p.nextToken() != JsonToken.END_ARRAY) {
            beyond |= !(p.currentToken() == JsonToken.VALUE_STRING && p.getText().equals("text"));
            p.skipChildren();
        }
        return beyond;
    }

    private static void refuseIf(boolean refuse, String param, String message) throws Untranslatable {
        if (refuse) {
            throw new Untranslatable("unsupported_parameter", param, "Unsupported parameter: '" + param + "'. "
                    + message);
        }
    }

    /** Emits the parameters given, tool choice first. */
    void emit(RequestEvents out) throws Untranslatable {
        if (common.toolChoice == null && functionCall != null) {
            common.toolChoice = functionCall;
            common.toolChoiceName = functionCallName;
        }
        if (common.maxTokens == null) {
            common.maxTokens = legacyMaxTokens;
        }
        common.emitFirst(out);
        if (topK != null) {
            out.topK(topK);
        }
        if (presencePenalty != null) {
            out.presencePenalty(presencePenalty);
        }
        if (frequencyPenalty != null) {
            out.frequencyPenalty(frequencyPenalty);
        }
        if (stop != null && !stop.isEmpty()) {
            out.stopSequences(stop);
        }
        if (n != null) {
            if (n < 1) {
                throw new Untranslatable("integer_below_min_value", "n",
                        "Invalid 'n': integer below minimum value. Expected a value >= 1, but got " + n + " instead.");
            }
            if (n > 1) {
                out.candidates((int) Math.min(n, Integer.MAX_VALUE));
            }
        }
        if (seed != null) {
            out.seed(seed);
        }
        common.emitLast(out, includeUsage);
    }
}
