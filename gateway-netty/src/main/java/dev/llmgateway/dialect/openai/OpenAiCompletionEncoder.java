package dev.llmgateway.dialect.openai;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.llmgateway.dialect.BodyEncoder;
import dev.llmgateway.dialect.EncodedBody;
import dev.llmgateway.dialect.FinishReason;
import dev.llmgateway.dialect.ToolCallIds;
import io.netty.buffer.ByteBufAllocator;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes an answer as OpenAI Chat's non-stream body ({@code chat.completion}) for an OpenAI client whose provider
 * speaks another dialect. The answer is gathered as it comes and written at {@link #end()}: text and reasoning
 * joined ({@code content} null when there was no text), each tool call's argument fragments joined into its
 * {@code arguments} string ({@code "{}"} when there were none), reasoning as {@code reasoning_content} (see
 * {@link OpenAiChunkEncoder} for why), usage when the provider reported it. Ownership: {@link #body()} hands the
 * body to the caller; until then, {@link #discard()} frees it. An error is not this encoder's to write: the
 * caller answers with an error response instead. Confined to the exchange's thread.
 */
public final class OpenAiCompletionEncoder extends OpenAiAnswerState implements BodyEncoder {
    private final ByteBufAllocator alloc;
    private final String model;
    private final List<ToolCall> toolCalls = new ArrayList<>();
    private StringBuilder text;
    private StringBuilder reasoning;
    private String finish;
    private final EncodedBody body = new EncodedBody();

    /**
     * @param model     the model the client asked for
     * @param requestId the gateway's request id: the answer's id when the provider gave none
     */
    public OpenAiCompletionEncoder(ByteBufAllocator alloc, String model, String requestId) {
        super(requestId);
        this.alloc = alloc;
        this.model = model;
    }

    private record ToolCall(String id, String name, StringBuilder arguments) {
    }

    @Override
    public void start(String id) {
        begin(id);
    }

    @Override
    public void text(char[] chars, int offset, int length) {
        text = (text == null ? new StringBuilder() : text).append(chars, offset, length);
    }

    @Override
    public void reasoning(char[] chars, int offset, int length) {
        reasoning = (reasoning == null ? new StringBuilder() : reasoning).append(chars, offset, length);
    }

    @Override
    public void toolCallStart(int index, String id, String name, String signature) {
        toolCalled = true;
        toolCalls.add(new ToolCall(ToolCallIds.withSignature(id, signature), name, new StringBuilder()));
    }

    @Override
    public void toolCallArguments(int index, char[] chars, int offset, int length) {
        toolCalls.get(index).arguments().append(chars, offset, length);
    }

    @Override
    public void finish(FinishReason reason, String stopSequence) {
        finish = finishReason(reason);
    }

    @Override
    public void end() {
        body.write(alloc, 512, this::write);
    }

    @Override
    public EncodedBody encodedBody() {
        return body;
    }

    private void write(JsonGenerator g) throws IOException {
        g.writeStartObject();
        g.writeStringField("id", id);
        g.writeStringField("object", "chat.completion");
        g.writeNumberField("created", created);
        g.writeStringField("model", model);
        g.writeArrayFieldStart("choices");
        g.writeStartObject();
        g.writeNumberField("index", 0);
        g.writeObjectFieldStart("message");
        g.writeStringField("role", "assistant");
        g.writeStringField("content", text == null ? null : text.toString());
        if (reasoning != null) {
            g.writeStringField("reasoning_content", reasoning.toString());
        }
        if (!toolCalls.isEmpty()) {
            g.writeArrayFieldStart("tool_calls");
            for (ToolCall call : toolCalls) {
                g.writeStartObject();
                g.writeStringField("id", call.id());
                g.writeStringField("type", "function");
                g.writeObjectFieldStart("function");
                g.writeStringField("name", call.name());
                g.writeStringField("arguments", call.arguments().isEmpty() ? "{}" : call.arguments().toString());
                g.writeEndObject();
                g.writeEndObject();
            }
            g.writeEndArray();
        }
        g.writeNullField("refusal");
        g.writeEndObject();
        g.writeNullField("logprobs");
        g.writeStringField("finish_reason", finish);
        g.writeEndObject();
        g.writeEndArray();
        if (usage.reported()) {
            usage.write(g);
        }
        g.writeEndObject();
    }
}
