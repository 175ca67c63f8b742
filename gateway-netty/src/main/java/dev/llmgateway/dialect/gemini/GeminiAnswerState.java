package dev.llmgateway.dialect.gemini;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.llmgateway.dialect.AnswerEvents;
import dev.llmgateway.dialect.FinishReason;
import dev.llmgateway.dialect.TokenUsage;
import dev.llmgateway.json.Json;

import java.io.IOException;

/**
 * What Gemini's stream chunks and its whole body ({@code GenerateContentResponse}, the same shape) share, for a
 * Gemini client whose provider speaks another API: the answer's id, finish reason and usage as they come, and the
 * writing of a part, a candidate's end and the response's tail.
 * <ul>
 * <li>{@code responseId}: the provider's answer id (the gateway's request id when it gave none);
 * {@code modelVersion}: the model the client asked for, as the pass-through rewrites it.</li>
 * <li>Finish: STOP and TOOL_CALLS are {@code STOP} (Gemini has no tool-call reason), LENGTH {@code MAX_TOKENS},
 * CONTENT_FILTER {@code SAFETY}; the stop sequence is not reported (Gemini does not).</li>
 * <li>{@code usageMetadata}: {@code promptTokenCount} every input token, {@code cachedContentTokenCount} the cached
 * ones, {@code candidatesTokenCount} output less reasoning, {@code thoughtsTokenCount} reasoning,
 * {@code totalTokenCount} their sum; cache writes have no Gemini field.</li>
 * <li>A function call is one part with its {@code args} as one object and its id (newer Gemini APIs carry
 * {@code functionCall.id}, and clients echo it in {@code functionResponse.id}); arguments that are not one JSON
 * object cannot be written as Gemini's, and fail the answer.</li>
 * </ul>
 * Confined to the exchange's thread.
 */
abstract class GeminiAnswerState implements AnswerEvents {
    protected final String model;
    protected final String requestId;
    protected String id;
    protected String finishReason;
    private final TokenUsage usage = new TokenUsage();

    GeminiAnswerState(String model, String requestId) {
        this.model = model;
        this.requestId = requestId;
    }

    @Override
    public void start(String id) {
        this.id = id != null ? id : requestId;
    }

    @Override
    public void finish(FinishReason reason, String stopSequence) {
        finishReason = switch (reason) {
            case STOP, TOOL_CALLS -> "STOP";
            case LENGTH -> "MAX_TOKENS";
            case CONTENT_FILTER -> "SAFETY";
        };
    }

    @Override
    public void usage(long input, long cachedInput, long cacheWrite, long cacheWrite1h, long output,
                      long reasoning) {
        usage.report(input, cachedInput, cacheWrite, cacheWrite1h, output, reasoning);
    }

    /** Another provider's encrypted reasoning has no Gemini form. */
    @Override
    public void redactedReasoning(String data) {
    }

    /** Opens {@code {"candidates":[{"content":{"role":"model","parts":[}. */
    static void startParts(JsonGenerator g) throws IOException {
        g.writeStartObject();
        g.writeArrayFieldStart("candidates");
        g.writeStartObject();
        g.writeObjectFieldStart("content");
        g.writeStringField("role", "model");
        g.writeArrayFieldStart("parts");
    }

    /** Closes what {@link #startParts} opened, up to the candidate's other members. */
    static void endParts(JsonGenerator g) throws IOException {
        g.writeEndArray();
        g.writeEndObject();
    }

    static void textPart(JsonGenerator g, char[] chars, int offset, int length, boolean thought) throws IOException {
        g.writeStartObject();
        g.writeFieldName("text");
        g.writeString(chars, offset, length);
        if (thought) {
            g.writeBooleanField("thought", true);
        }
        g.writeEndObject();
    }

    /** A signature alone, on an empty thought part, as Gemini sends one. */
    static void signaturePart(JsonGenerator g, String signature) throws IOException {
        g.writeStartObject();
        g.writeStringField("text", "");
        g.writeBooleanField("thought", true);
        g.writeStringField("thoughtSignature", signature);
        g.writeEndObject();
    }

    /**
     * A function call part; {@code arguments} is the provider's argument text, written as the object it is.
     *
     * @throws IOException when the arguments are not one JSON object
     */
    static void callPart(JsonGenerator g, String id, String name, CharSequence arguments, String signature)
            throws IOException {
        g.writeStartObject();
        g.writeObjectFieldStart("functionCall");
        g.writeStringField("id", id);
        g.writeStringField("name", name);
        g.writeFieldName("args");
        if (arguments.isEmpty()) {
            g.writeStartObject();
            g.writeEndObject();
        } else {
            try (JsonParser in = Json.FACTORY.createParser(arguments.toString())) {
                if (in.nextToken() != JsonToken.START_OBJECT) {
                    throw new IOException("the tool call's arguments are not a JSON object");
                }
                g.copyCurrentStructure(in);
                Json.finishDocument(in);
            }
        }
        g.writeEndObject();
        if (signature != null && !signature.isEmpty()) {
            g.writeStringField("thoughtSignature", signature);
        }
        g.writeEndObject();
    }

    /** The candidate's finish reason (when known) and index, closing it and the candidates array. */
    void endCandidate(JsonGenerator g, boolean withFinish) throws IOException {
        if (withFinish && finishReason != null) {
            g.writeStringField("finishReason", finishReason);
        }
        g.writeNumberField("index", 0);
        g.writeEndObject();
        g.writeEndArray();
    }

    /** {@code usageMetadata} when the provider reported any, then the model and id; closes the response. */
    void endResponse(JsonGenerator g, boolean withUsage) throws IOException {
        if (withUsage && usage.reported()) {
            long prompt = Math.max(0, usage.input());
            long thoughts = Math.max(0, usage.reasoning());
            long candidates = Math.max(0, Math.max(0, usage.output()) - thoughts);
            g.writeObjectFieldStart("usageMetadata");
            g.writeNumberField("promptTokenCount", prompt);
            g.writeNumberField("candidatesTokenCount", candidates);
            g.writeNumberField("totalTokenCount", prompt + candidates + thoughts);
            if (usage.cachedInput() > 0) {
                g.writeNumberField("cachedContentTokenCount", usage.cachedInput());
            }
            if (thoughts > 0) {
                g.writeNumberField("thoughtsTokenCount", thoughts);
            }
            g.writeEndObject();
        }
        g.writeStringField("modelVersion", model);
        g.writeStringField("responseId", id != null ? id : requestId);
        g.writeEndObject();
    }
}
