package dev.llmgateway.dialect.openai;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.llmgateway.dialect.ApiError;
import dev.llmgateway.dialect.ClientDialect;
import dev.llmgateway.dialect.EncodedEvent;
import dev.llmgateway.dialect.ErrorResponses;
import dev.llmgateway.dialect.FinishReason;
import dev.llmgateway.dialect.ToolCallIds;
import dev.llmgateway.sse.SseWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.io.IOException;
import java.util.function.Consumer;

/**
 * Writes an answer as OpenAI Chat's stream ({@code chat.completion.chunk} events, then {@code data: [DONE]}) for an
 * OpenAI client whose provider speaks another dialect. Each event is translated as it comes: one SSE event, one
 * buffer, handed to {@code out}, which then owns it; nothing of the answer is held but the tool-call count and the
 * usage. Chunks are shaped as OpenAI's: {@code created} pinned at the start, {@code "usage":null} on every chunk
 * when the client asked for usage ({@code stream_options.include_usage}), then a usage chunk with
 * {@code "choices":[]} before {@code [DONE]}.
 * <p>
 * Reasoning text goes out as {@code delta.reasoning_content}: OpenAI's chat API shows none, and this is the field
 * DeepSeek, vLLM and LiteLLM use, which clients that show reasoning read. Reasoning signatures and redacted
 * reasoning are dropped ({@link OpenAiAnswerState}). Confined to the exchange's thread.
 */
public final class OpenAiChunkEncoder extends OpenAiAnswerState {
    private static final int CHUNK_SIZE = 256;

    private final ByteBufAllocator alloc;
    private final Consumer<ByteBuf> out;
    private final String model;
    private final boolean includeUsage;
    private final String requestId;
    private final EncodedEvent events;

    /**
     * @param model     the model the client asked for
     * @param requestId the gateway's request id: the answer's id when the provider gave none, and in errors
     */
    public OpenAiChunkEncoder(ByteBufAllocator alloc, Consumer<ByteBuf> out, String model, boolean includeUsage,
                              String requestId) {
        super(requestId);
        this.alloc = alloc;
        this.out = out;
        this.model = model;
        this.includeUsage = includeUsage;
        this.requestId = requestId;
        this.events = new EncodedEvent(alloc, out);
    }

    @Override
    public void start(String id) {
        begin(id);
        try {
            JsonGenerator g = delta();
            g.writeStringField("role", "assistant");
            g.writeStringField("content", "");
            endDelta(g, null);
        } catch (IOException e) {
            throw events.failed(e);
        }
    }

    @Override
    public void text(char[] chars, int offset, int length) {
        stringDelta("content", chars, offset, length);
    }

    @Override
    public void reasoning(char[] chars, int offset, int length) {
        stringDelta("reasoning_content", chars, offset, length);
    }

    @Override
    public void toolCallStart(int index, String id, String name, String signature) {
        toolCalled = true;
        try {
            JsonGenerator g = toolCall(index);
            g.writeStringField("id", ToolCallIds.withSignature(id, signature));
            g.writeStringField("type", "function");
            g.writeObjectFieldStart("function");
            g.writeStringField("name", name);
            g.writeStringField("arguments", "");
            endToolCall(g);
        } catch (IOException e) {
            throw events.failed(e);
        }
    }

    @Override
    public void toolCallArguments(int index, char[] chars, int offset, int length) {
        if (length == 0) {
            return;
        }
        try {
            JsonGenerator g = toolCall(index);
            g.writeObjectFieldStart("function");
            g.writeFieldName("arguments");
            g.writeString(chars, offset, length);
            endToolCall(g);
        } catch (IOException e) {
            throw events.failed(e);
        }
    }

    @Override
    public void finish(FinishReason reason, String stopSequence) {
        try {
            endDelta(delta(), finishReason(reason));
        } catch (IOException e) {
            throw events.failed(e);
        }
    }

    /**
     * The usage chunk, when the client asked for usage and the provider reported some (a chunk of zeros would
     * be billed as real), then {@code [DONE]}.
     */
    @Override
    public void end() {
        if (includeUsage && usage.reported()) {
            try {
                JsonGenerator g = chunk();
                g.writeArrayFieldStart("choices");
                g.writeEndArray();
                usage.write(g);
                send(g);
            } catch (IOException e) {
                throw events.failed(e);
            }
        }
        out.accept(SseWriter.done());
    }

    /** The error as OpenAI's SDKs expect it mid-stream ({@code data: {"error":{...}}}); never a [DONE] after it. */
    @Override
    public void error(ApiError error) {
        out.accept(ErrorResponses.streamEvent(alloc, ClientDialect.OPENAI, error, requestId));
    }

    private void stringDelta(String field, char[] chars, int offset, int length) {
        try {
            JsonGenerator g = delta();
            g.writeFieldName(field);
            g.writeString(chars, offset, length);
            endDelta(g, null);
        } catch (IOException e) {
            throw events.failed(e);
        }
    }

    /** Opens a chunk's only tool call delta: {@code ...,"delta":{"tool_calls":[{"index":k,}. */
    private JsonGenerator toolCall(int index) throws IOException {
        JsonGenerator g = delta();
        g.writeArrayFieldStart("tool_calls");
        g.writeStartObject();
        g.writeNumberField("index", index);
        return g;
    }

    /** Closes what {@link #toolCall} opened and the function object inside it. */
    private void endToolCall(JsonGenerator g) throws IOException {
        g.writeEndObject();
        g.writeEndObject();
        g.writeEndArray();
        endDelta(g, null);
    }

    /** Opens a chunk with one choice and its delta object. */
    private JsonGenerator delta() throws IOException {
        JsonGenerator g = chunk();
        g.writeArrayFieldStart("choices");
        g.writeStartObject();
        g.writeNumberField("index", 0);
        g.writeObjectFieldStart("delta");
        return g;
    }

    /** Closes the delta, the choice and the chunk opened by {@link #delta}, and sends it. */
    private void endDelta(JsonGenerator g, String finishReason) throws IOException {
        g.writeEndObject();
        g.writeNullField("logprobs");
        g.writeStringField("finish_reason", finishReason);
        g.writeEndObject();
        g.writeEndArray();
        if (includeUsage) {
            g.writeNullField("usage");
        }
        send(g);
    }

    /** Starts an SSE data event and the chunk object in it, with the members every chunk begins with. */
    private JsonGenerator chunk() throws IOException {
        JsonGenerator g = events.beginData(CHUNK_SIZE);
        g.writeStartObject();
        g.writeStringField("id", id);
        g.writeStringField("object", "chat.completion.chunk");
        g.writeNumberField("created", created);
        g.writeStringField("model", model);
        return g;
    }

    private void send(JsonGenerator g) throws IOException {
        g.writeEndObject();
        events.send();
    }
}
