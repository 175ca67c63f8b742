package dev.llmgateway.dialect.anthropic;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.llmgateway.dialect.FinishReason;

import java.io.IOException;

/**
 * What an Anthropic message says about itself around its content, for both the stream and the body encoder: its
 * id and model, why it stopped, and the token counts (TRANSLATION.md §2, §3, reverse direction).
 */
final class MessageSummary {
    private final String model;
    private final String requestId;
    private String id;
    private FinishReason reason;
    private String stopSequence;
    private boolean toolCalled;
    private long input = -1;
    private long cachedInput = -1;
    private long cacheWrite = -1;
    private long cacheWrite1h = -1;
    private long output = -1;

    MessageSummary(String model, String requestId) {
        this.model = model;
        this.requestId = requestId;
    }

    /** The provider's id for the answer, or null: then one is made from the gateway's request id. */
    void start(String providerId) {
        id = providerId != null ? providerId : "msg_" + requestId;
    }

    void toolCalled() {
        toolCalled = true;
    }

    void finish(FinishReason reason, String stopSequence) {
        this.reason = reason;
        this.stopSequence = stopSequence;
    }

    /** Cumulative counts: a later report replaces an earlier one, part by part. */
    void usage(long input, long cachedInput, long cacheWrite, long cacheWrite1h, long output) {
        if (input >= 0) {
            this.input = input;
        }
        if (cachedInput >= 0) {
            this.cachedInput = cachedInput;
        }
        if (cacheWrite >= 0) {
            this.cacheWrite = cacheWrite;
        }
        if (cacheWrite1h >= 0) {
            this.cacheWrite1h = cacheWrite1h;
        }
        if (output >= 0) {
            this.output = output;
        }
    }

    /** {@code "id","type","role","model"}: a Message's first members. */
    void writeHead(JsonGenerator g) throws IOException {
        g.writeStringField("id", id);
        g.writeStringField("type", "message");
        g.writeStringField("role", "assistant");
        g.writeStringField("model", model);
    }

    /** {@code "stop_reason","stop_sequence"}. */
    void writeStop(JsonGenerator g) throws IOException {
        g.writeStringField("stop_reason", stopReason());
        g.writeStringField("stop_sequence", stopSequence);
    }

    /**
     * {@code "usage":{...}}, in Anthropic's terms: its input_tokens leave out cache reads and writes; the writes are
     * split by lifetime in {@code cache_creation} when the provider said which were kept for an hour.
     */
    void writeUsage(JsonGenerator g) throws IOException {
        long read = Math.max(cachedInput, 0);
        long write = Math.max(cacheWrite, 0);
        g.writeObjectFieldStart("usage");
        g.writeNumberField("input_tokens", Math.max(input - read - write, 0));
        g.writeNumberField("cache_creation_input_tokens", write);
        g.writeNumberField("cache_read_input_tokens", read);
        if (cacheWrite1h >= 0) {
            long hour = Math.min(cacheWrite1h, write);
            g.writeObjectFieldStart("cache_creation");
            g.writeNumberField("ephemeral_5m_input_tokens", write - hour);
            g.writeNumberField("ephemeral_1h_input_tokens", hour);
            g.writeEndObject();
        }
        g.writeNumberField("output_tokens", Math.max(output, 0));
        g.writeEndObject();
    }

    /**
     * A turn that called a tool ends in {@code tool_use} even when the provider called it a plain stop (text then
     * a tool call: clients only run tools on {@code tool_use}). No finish at all reads as a plain stop.
     */
    private String stopReason() {
        FinishReason r = reason == null ? FinishReason.STOP : reason;
        return switch (r) {
            case STOP -> toolCalled ? "tool_use" : stopSequence != null ? "stop_sequence" : "end_turn";
            case LENGTH -> "max_tokens";
            case TOOL_CALLS -> "tool_use";
            case CONTENT_FILTER -> "refusal";
        };
    }
}
