package dev.llmgateway.dialect.openai;

import dev.llmgateway.dialect.AnswerEvents;
import dev.llmgateway.dialect.FinishReason;

/**
 * What both OpenAI encoders keep of an answer: its id and creation time, pinned at the start; whether it called
 * tools, which decides the finish reason; its usage. And the events an OpenAI chat answer has no field for:
 * reasoning signatures and redacted reasoning are dropped (a Gemini tool call's signature rides in its id,
 * see {@link dev.llmgateway.dialect.ToolCallIds}).
 */
abstract class OpenAiAnswerState implements AnswerEvents {
    final OpenAiUsage usage = new OpenAiUsage();
    private final String requestId;
    String id;
    long created;
    boolean toolCalled;

    /** @param requestId the gateway's request id: the answer's id when the provider gave none */
    OpenAiAnswerState(String requestId) {
        this.requestId = requestId;
    }

    /** Pins the answer's id (the provider's, or one made from the request id) and creation time. */
    final void begin(String providerId) {
        id = providerId != null ? providerId : "chatcmpl-" + requestId;
        created = System.currentTimeMillis() / 1000;
    }

    final String finishReason(FinishReason reason) {
        return OpenAiFinishReasons.toWire(reason, toolCalled);
    }

    @Override
    public final void reasoningSignature(String signature) {
        // no field for it in OpenAI chat
    }

    @Override
    public final void redactedReasoning(String data) {
        // no field for it in OpenAI chat
    }

    @Override
    public final void usage(long input, long cachedInput, long cacheWrite, long cacheWrite1h, long output,
                            long reasoning) {
        usage.report(input, cachedInput, output, reasoning);
    }
}
