package dev.llmgateway.dialect.anthropic;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import dev.llmgateway.dialect.BodyEncoder;
import dev.llmgateway.dialect.EncodedBody;
import dev.llmgateway.dialect.FinishReason;
import dev.llmgateway.dialect.ToolCallIds;
import dev.llmgateway.json.Json;
import io.netty.buffer.ByteBufAllocator;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes an answer as one Anthropic Message body: {@code content} blocks (adjacent text joined into one block;
 * {@code thinking} with its signature; {@code redacted_thinking}; {@code tool_use} whose {@code input} is the
 * object the joined argument fragments hold, or {@code {}} when they are empty or not a JSON object), then
 * {@code stop_reason}, {@code stop_sequence} and {@code usage}. Blocks are collected in small builders and the
 * body is written at {@link #end}.
 *
 * <p>Ownership: {@link #body()} hands the body to the caller; until then, or when the answer is abandoned, it is
 * this encoder's and {@link #discard()} frees it (with what was collected). An {@link #error} does the same and
 * leaves no body (the caller answers with the error). Confined to the exchange's thread.
 */
public final class AnthropicMessageEncoder implements BodyEncoder {
    private enum Kind { TEXT, THINKING, REDACTED, TOOL }

    private final ByteBufAllocator alloc;
    private final MessageSummary summary;
    private final List<Block> blocks = new ArrayList<>();
    /** The tool_use blocks by the answer's tool index. */
    private final List<Block> tools = new ArrayList<>();
    private final EncodedBody body = new EncodedBody();

    public AnthropicMessageEncoder(ByteBufAllocator alloc, String model, String requestId) {
        this.alloc = alloc;
        this.summary = new MessageSummary(model, requestId);
    }

    @Override
    public void start(String id) {
        summary.start(id);
    }

    @Override
    public void text(char[] chars, int offset, int length) {
        if (length > 0) {
            Block last = last();
            (last != null && last.kind == Kind.TEXT ? last : add(new Block(Kind.TEXT))).text.append(chars, offset,
                    length);
        }
    }

    @Override
    public void reasoning(char[] chars, int offset, int length) {
        if (length > 0) {
            openThinking().text.append(chars, offset, length);
        }
    }

    @Override
    public void reasoningSignature(String signature) {
        openThinking().opaque = signature;
    }

    @Override
    public void redactedReasoning(String data) {
        add(new Block(Kind.REDACTED)).opaque = data;
    }

    @Override
    public void toolCallStart(int index, String id, String name, String signature) {
        summary.toolCalled();
        Block tool = add(new Block(Kind.TOOL));
        tool.id = ToolCallIds.withSignature(id, signature);
        tool.name = name;
        while (tools.size() <= index) {
            tools.add(null);
        }
        tools.set(index, tool);
    }

    @Override
    public void toolCallArguments(int index, char[] chars, int offset, int length) {
        Block tool = index < tools.size() ? tools.get(index) : null;
        if (tool != null) {
            tool.text.append(chars, offset, length);
        }
    }

    @Override
    public void finish(FinishReason reason, String stopSequence) {
        summary.finish(reason, stopSequence);
    }

    @Override
    public void usage(long input, long cachedInput, long cacheWrite, long cacheWrite1h, long output, long reasoning) {
        summary.usage(input, cachedInput, cacheWrite, cacheWrite1h, output);
    }

    @Override
    public void end() {
        body.write(alloc, 256 + 2 * blocks.stream().mapToInt(b -> b.text.length()).sum(), g -> {
            g.writeStartObject();
            summary.writeHead(g);
            g.writeArrayFieldStart("content");
            for (Block block : blocks) {
                writeBlock(g, block);
            }
            g.writeEndArray();
            summary.writeStop(g);
            summary.writeUsage(g);
            g.writeEndObject();
        });
        blocks.clear();
        tools.clear();
    }

    @Override
    public EncodedBody encodedBody() {
        return body;
    }

    @Override
    public void discard() {
        blocks.clear();
        tools.clear();
        body.discard();
    }

    private static void writeBlock(JsonGenerator g, Block block) throws IOException {
        g.writeStartObject();
        switch (block.kind) {
            case TEXT -> {
                g.writeStringField("type", "text");
                g.writeStringField("text", block.text.toString());
            }
            case THINKING -> {
                g.writeStringField("type", "thinking");
                g.writeStringField("thinking", block.text.toString());
                g.writeStringField("signature", block.opaque == null ? "" : block.opaque);
            }
            case REDACTED -> {
                g.writeStringField("type", "redacted_thinking");
                g.writeStringField("data", block.opaque);
            }
            case TOOL -> {
                g.writeStringField("type", "tool_use");
                g.writeStringField("id", block.id);
                g.writeStringField("name", block.name);
                g.writeFieldName("input");
                writeInput(g, block.text.toString());
            }
        }
        g.writeEndObject();
    }

    /** The arguments as an object: copied when they are one JSON object, else {@code {}}. */
    private static void writeInput(JsonGenerator g, String arguments) throws IOException {
        if (Json.isObject(arguments)) {
            try (JsonParser p = Json.FACTORY.createParser(arguments)) {
                p.nextToken();
                g.copyCurrentStructure(p);
            }
        } else {
            g.writeStartObject();
            g.writeEndObject();
        }
    }

    /** A thinking block to add to: the last block if it is one its signature has not sealed yet. */
    private Block openThinking() {
        Block last = last();
        return last != null && last.kind == Kind.THINKING && last.opaque == null ? last
                : add(new Block(Kind.THINKING));
    }

    private Block last() {
        return blocks.isEmpty() ? null : blocks.get(blocks.size() - 1);
    }

    private Block add(Block block) {
        blocks.add(block);
        return block;
    }

    /** One content block being collected; {@code text} holds text, thinking or arguments by kind. */
    private static final class Block {
        final Kind kind;
        final StringBuilder text = new StringBuilder();
        /** A thinking block's signature or a redacted block's data: opaque, echoed back unchanged. */
        String opaque;
        String id;
        String name;

        Block(Kind kind) {
            this.kind = kind;
        }
    }
}
