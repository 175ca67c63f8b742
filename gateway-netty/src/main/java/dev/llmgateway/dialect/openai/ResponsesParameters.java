package dev.llmgateway.dialect.openai;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.llmgateway.dialect.RequestEvents;
import dev.llmgateway.dialect.Untranslatable;

import java.io.IOException;

import static dev.llmgateway.dialect.openai.OpenAiRequestValues.bool;
import static dev.llmgateway.dialect.openai.OpenAiRequestValues.integer;
import static dev.llmgateway.dialect.openai.OpenAiRequestValues.invalidType;
import static dev.llmgateway.dialect.openai.OpenAiRequestValues.string;
import static dev.llmgateway.dialect.openai.OpenAiRequestValues.unsupported;

/**
 * The parameters of a Responses request, read as they come and emitted after the conversation and tools.
 * {@code store} needs nothing (the gateway keeps no responses either way); {@code metadata}, {@code include},
 * {@code prompt_cache_key}, {@code text.verbosity}, {@code reasoning.summary}, {@code truncation} and
 * {@code service_tier} have no neutral event and are dropped (the README lists them); what only a stored response
 * or OpenAI itself can do ({@code previous_response_id}, {@code conversation}, {@code prompt}, {@code background},
 * log probabilities) is refused.
 */
final class ResponsesParameters {
    private final OpenAiBodyBytes body;
    private final CommonParameters common = new CommonParameters();

    ResponsesParameters(OpenAiBodyBytes body) {
        this.body = body;
    }

    /** A top-level member; the parser is at its (non-null) value, which it skips if it is no parameter. */
    void read(JsonParser p, String name, int origin) throws IOException, Untranslatable {
        if (common.read(p, name)) {
            return;
        }
        switch (name) {
            case "tool_choice" -> readToolChoice(p);
            case "max_output_tokens" -> common.maxTokens = integer(p, name);
            case "text" -> readText(p, origin);
            case "reasoning" -> readReasoning(p);
            case "store" -> bool(p, name);
            case "previous_response_id" -> throw ResponsesRequestReader.needsStore(name, "previous_response_id");
            case "conversation" -> throw ResponsesRequestReader.needsStore(name, "A conversation");
            case "prompt" -> throw unsupported(name, "Stored prompts cannot be used with this model.");
            case "background" -> {
                if (bool(p, name)) {
                    throw ResponsesRequestReader.needsStore(name, "A background response");
                }
            }
            case "top_logprobs" -> {
                if (integer(p, name) > 0) {
                    throw unsupported(name, "Log probabilities are not available for this model.");
                }
            }
            default -> p.skipChildren();
        }
    }

    private void readToolChoice(JsonParser p) throws IOException, Untranslatable {
        common.readToolChoice(p, (member, value) -> {
            if (member.equals("name")) {
                common.toolChoiceName = string(value, "tool_choice.name");
            } else {
                value.skipChildren();
            }
        }, "tool_choice.name", "a tool_choice of type 'function' or 'custom'", "function", "custom");
    }

    /** {@code text: {format: {type, name, schema}, verbosity}}. */
    private void readText(JsonParser p, int origin) throws IOException, Untranslatable {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw invalidType("text", "an object");
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            boolean isFormat = p.currentName().equals("format");
            if (p.nextToken() == JsonToken.START_OBJECT && isFormat) {
                readFormat(p, origin);
            } else {
                p.skipChildren();
            }
        }
    }

    private void readFormat(JsonParser p, int origin) throws IOException, Untranslatable {
        String type = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String member = p.currentName();
            JsonToken value = p.nextToken();
            switch (member) {
                case "type" -> type = string(p, "text.format.type");
                case "name" -> common.formatName = string(p, "text.format.name");
                case "schema" -> common.formatSchema = value == JsonToken.VALUE_NULL ? null
                        : body.valueSpan(p, origin);
                default -> p.skipChildren();
            }
        }
        common.formatType(type, "text.format.type");
    }

    /** {@code reasoning: {effort, summary}}: the effort goes on; a summary is what reasoning text becomes anyway. */
    private void readReasoning(JsonParser p) throws IOException, Untranslatable {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw invalidType("reasoning", "an object");
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            boolean isEffort = p.currentName().equals("effort");
            p.nextToken();
            if (isEffort) {
                common.reasoningEffort = string(p, "reasoning.effort");
            } else {
                p.skipChildren();
            }
        }
    }

    /** Emits the parameters given, tool choice first. */
    void emit(RequestEvents out) throws Untranslatable {
        common.emitFirst(out);
        common.emitLast(out, true);
    }
}
