package dev.llmgateway.dialect.openai;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.llmgateway.dialect.AnswerEvents;
import dev.llmgateway.dialect.UsageCounts;

import java.io.IOException;

/**
 * OpenAI Chat's {@code usage} object, read from a provider's answer or written into a client's: prompt and
 * completion tokens, and the cached and reasoning counts of the details objects when known (-1 while not).
 */
final class OpenAiUsage {
    private long input = -1;
    private long cachedInput = -1;
    private long output = -1;
    private long reasoning = -1;
    private boolean reported;

    /**
     * A later report replaces an earlier one count by count (providers report totals so far, never increments);
     * a count it does not know (-1) keeps the earlier value.
     */
    void report(long input, long cachedInput, long output, long reasoning) {
        this.input = input >= 0 ? input : this.input;
        this.cachedInput = cachedInput >= 0 ? cachedInput : this.cachedInput;
        this.output = output >= 0 ? output : this.output;
        this.reasoning = reasoning >= 0 ? reasoning : this.reasoning;
        reported = true;
    }

    boolean reported() {
        return reported;
    }

    /**
     * Reads the usage object the parser is at (its START_OBJECT) and reports it. Understands OpenAI's details
     * objects, and DeepSeek's {@code prompt_cache_hit_tokens} when no details object says what was cached.
     */
    void read(JsonParser parser) throws IOException {
        long prompt = -1;
        long completion = -1;
        long cached = -1;
        long cacheHit = -1;
        long thought = -1;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            JsonToken value = parser.nextToken();
            if (value == JsonToken.VALUE_NUMBER_INT) {
                switch (name) {
                    case "prompt_tokens" -> prompt = parser.getLongValue();
                    case "completion_tokens" -> completion = parser.getLongValue();
                    case "prompt_cache_hit_tokens" -> cacheHit = parser.getLongValue();
                    default -> { }
                }
            } else if (value == JsonToken.START_OBJECT && name.equals("prompt_tokens_details")) {
                cached = UsageCounts.member(parser, "cached_tokens");
            } else if (value == JsonToken.START_OBJECT && name.equals("completion_tokens_details")) {
                thought = UsageCounts.member(parser, "reasoning_tokens");
            } else {
                parser.skipChildren();
            }
        }
        report(prompt, cached >= 0 ? cached : cacheHit, completion, thought);
    }

    /** Reports these counts as an {@link AnswerEvents#usage} call (OpenAI has no cache-write count). */
    void emit(AnswerEvents events) {
        events.usage(input, cachedInput, -1, -1, output, reasoning);
    }

    /**
     * Writes {@code "usage":{...}}. The token counts are required members in OpenAI's schema, so an unknown one
     * is written as 0; the details objects only when their count is known.
     */
    void write(JsonGenerator json) throws IOException {
        long prompt = Math.max(0, input);
        long completion = Math.max(0, output);
        json.writeObjectFieldStart("usage");
        json.writeNumberField("prompt_tokens", prompt);
        json.writeNumberField("completion_tokens", completion);
        json.writeNumberField("total_tokens", prompt + completion);
        if (cachedInput >= 0) {
            json.writeObjectFieldStart("prompt_tokens_details");
            json.writeNumberField("cached_tokens", cachedInput);
            json.writeEndObject();
        }
        if (reasoning >= 0) {
            json.writeObjectFieldStart("completion_tokens_details");
            json.writeNumberField("reasoning_tokens", reasoning);
            json.writeEndObject();
        }
        json.writeEndObject();
    }
}
