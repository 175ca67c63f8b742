package dev.llmgateway.dialect.anthropic;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.llmgateway.dialect.AnswerEvents;
import dev.llmgateway.dialect.ApiError;
import dev.llmgateway.dialect.ClientDialect;
import dev.llmgateway.dialect.EncodedEvent;
import dev.llmgateway.dialect.ErrorResponses;
import dev.llmgateway.dialect.FinishReason;
import dev.llmgateway.dialect.ToolCallIds;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.AsciiString;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Writes an answer as an Anthropic Messages stream: {@code message_start}, one {@code ping} after the first block
 * starts (as Anthropic does), content blocks ({@code content_block_start}, deltas, {@code content_block_stop}) with
 * indexes counted from 0 across all blocks, then {@code message_delta} with the stop reason and usage and
 * {@code message_stop}. Each event is translated as it comes and written at once; only tiny state is kept.
 *
 * <p>Tool calls. Anthropic's blocks are sequential, but an OpenAI-style provider may interleave the argument
 * fragments of parallel calls. A tool's block therefore stays open until its arguments form a whole JSON object
 * ({@link JsonValueEnd}); a call that starts while an unfinished one is open waits, its fragments kept, and gets
 * its block (with what it collected in one {@code input_json_delta}) as soon as the open one completes, or when
 * something else must be written. Fragments thus always reach their own block, in order: the usual sequential
 * stream is relayed with no delay at all. Empty fragments are not sent. Only a provider that interleaves text
 * into unfinished arguments forces a tool block closed early; a fragment for it afterwards is still sent, on
 * that block's index (the SDKs accumulate deltas by index), rather than dropped.
 *
 * <p>Ownership: every event is a new buffer handed to {@code out}, which then owns it. After {@link #error} (an
 * {@code event: error}, nothing after it, no {@code message_stop}) or {@link #end} the encoder writes nothing.
 * Confined to the exchange's thread.
 */
public final class AnthropicEventEncoder implements AnswerEvents {
    private static final AsciiString MESSAGE_START = AsciiString.cached("message_start");
    private static final AsciiString MESSAGE_DELTA = AsciiString.cached("message_delta");
    private static final AsciiString MESSAGE_STOP = AsciiString.cached("message_stop");
    private static final AsciiString BLOCK_START = AsciiString.cached("content_block_start");
    private static final AsciiString BLOCK_DELTA = AsciiString.cached("content_block_delta");
    private static final AsciiString BLOCK_STOP = AsciiString.cached("content_block_stop");
    private static final AsciiString PING = AsciiString.cached("ping");
    private static final int NOT_OPENED = -1;
    private static final int NOT_STARTED = -2;

    private enum Block { NONE, TEXT, THINKING, TOOL }

    private final ByteBufAllocator alloc;
    private final Consumer<ByteBuf> out;
    private final String requestId;
    private final EncodedEvent events;
    private final MessageSummary summary;
    private final JsonValueEnd argumentsEnd = new JsonValueEnd();

    /** The generator writing the event begun, until it is sent. */
    private JsonGenerator writing;
    private Block open = Block.NONE;
    private int openIndex;
    private int nextIndex;
    /** The open thinking block has its signature: more reasoning starts a new block. */
    private boolean sealed;
    private boolean pinged;
    /** The answer's tool index of the open tool block. */
    private int openTool = -1;
    /**
     * Content index of each tool call's block, by the answer's tool index; {@link #NOT_OPENED} while the call
     * waits, {@link #NOT_STARTED} before it starts.
     */
    private int[] toolBlocks = {NOT_STARTED, NOT_STARTED, NOT_STARTED, NOT_STARTED};
    private ArrayDeque<WaitingCall> waiting;
    private char[] scratch;

    public AnthropicEventEncoder(ByteBufAllocator alloc, Consumer<ByteBuf> out, String model, String requestId) {
        this.alloc = alloc;
        this.events = new EncodedEvent(alloc, out);
        this.out = out;
        this.requestId = requestId;
        this.summary = new MessageSummary(model, requestId);
    }

    @Override
    public void start(String id) {
        summary.start(id);
        try {
            JsonGenerator g = begin(MESSAGE_START, 256);
            g.writeObjectFieldStart("message");
            summary.writeHead(g);
            g.writeArrayFieldStart("content");
            g.writeEndArray();
            g.writeNullField("stop_reason");
            g.writeNullField("stop_sequence");
            // The real counts are known at the end; they go in message_delta.
            g.writeObjectFieldStart("usage");
            g.writeNumberField("input_tokens", 0);
            g.writeNumberField("output_tokens", 0);
            send();
        } catch (IOException e) {
            throw events.failed(e);
        }
    }

    @Override
    public void text(char[] chars, int offset, int length) {
        if (length == 0) {
            return;
        }
        try {
            if (open != Block.TEXT) {
                closeAll();
                JsonGenerator g = beginBlock(Block.TEXT, "text");
                g.writeStringField("text", "");
                sendBlockStart();
            }
            sendDelta(openIndex, "text_delta", "text", chars, offset, length);
        } catch (IOException e) {
            throw events.failed(e);
        }
    }

    @Override
    public void reasoning(char[] chars, int offset, int length) {
        if (length == 0) {
            return;
        }
        try {
            openThinking();
            sendDelta(openIndex, "thinking_delta", "thinking", chars, offset, length);
        } catch (IOException e) {
            throw events.failed(e);
        }
    }

    @Override
    public void reasoningSignature(String signature) {
        try {
            openThinking();
            JsonGenerator g = beginDelta("signature_delta", signature.length());
            g.writeStringField("signature", signature);
            send();
            sealed = true;
        } catch (IOException e) {
            throw events.failed(e);
        }
    }

    @Override
    public void redactedReasoning(String data) {
        try {
            closeAll();
            JsonGenerator g = beginBlock(Block.NONE, "redacted_thinking");
            g.writeStringField("data", data);
            sendBlockStart();
            writeStop(openIndex);
        } catch (IOException e) {
            throw events.failed(e);
        }
    }

    @Override
    public void toolCallStart(int index, String id, String name, String signature) {
        summary.toolCalled();
        if (index >= toolBlocks.length) {
            int known = toolBlocks.length;
            toolBlocks = Arrays.copyOf(toolBlocks, Math.max(index + 1, known * 2));
            Arrays.fill(toolBlocks, known, toolBlocks.length, NOT_STARTED);
        }
        toolBlocks[index] = NOT_OPENED;
        String clientId = ToolCallIds.withSignature(id, signature);
        try {
            if (open == Block.TOOL && !argumentsEnd.complete()) {
                if (waiting == null) {
                    waiting = new ArrayDeque<>(2);
                }
                waiting.add(new WaitingCall(index, clientId, name));
                return;
            }
            closeAll();
            openTool(index, clientId, name);
        } catch (IOException e) {
            throw events.failed(e);
        }
    }

    @Override
    public void toolCallArguments(int index, char[] chars, int offset, int length) {
        if (length == 0 || index >= toolBlocks.length || toolBlocks[index] == NOT_STARTED) {
            return;
        }
        try {
            if (open == Block.TOOL && index == openTool) {
                writeArguments(openIndex, chars, offset, length);
                argumentsEnd.feed(chars, offset, length);
                while (argumentsEnd.complete() && waiting != null && !waiting.isEmpty()) {
                    closeOpen();
                    openWaiting(waiting.poll());
                }
            } else if (toolBlocks[index] == NOT_OPENED) {
                for (WaitingCall call : waiting) {
                    if (call.index == index) {
                        call.arguments.append(chars, offset, length);
                    }
                }
            } else if (!blank(chars, offset, length)) {
                writeArguments(toolBlocks[index], chars, offset, length);
            }
        } catch (IOException e) {
            throw events.failed(e);
        }
    }

    @Override
    public void finish(FinishReason reason, String stopSequence) {
        try {
            closeAll();
        } catch (IOException e) {
            throw events.failed(e);
        }
        summary.finish(reason, stopSequence);
    }

    @Override
    public void usage(long input, long cachedInput, long cacheWrite, long cacheWrite1h, long output, long reasoning) {
        summary.usage(input, cachedInput, cacheWrite, cacheWrite1h, output);
    }

    @Override
    public void end() {
        try {
            closeAll();
            JsonGenerator g = begin(MESSAGE_DELTA, 192);
            g.writeObjectFieldStart("delta");
            summary.writeStop(g);
            g.writeEndObject();
            summary.writeUsage(g);
            send();
            begin(MESSAGE_STOP, 24);
            send();
        } catch (IOException e) {
            throw events.failed(e);
        }
    }

    @Override
    public void error(ApiError error) {
        out.accept(ErrorResponses.streamEvent(alloc, ClientDialect.ANTHROPIC, error, requestId));
    }

    private void openThinking() throws IOException {
        if (open != Block.THINKING || sealed) {
            closeAll();
            JsonGenerator g = beginBlock(Block.THINKING, "thinking");
            g.writeStringField("thinking", "");
            g.writeStringField("signature", "");
            sendBlockStart();
            sealed = false;
        }
    }

    private void openTool(int index, String clientId, String name) throws IOException {
        JsonGenerator g = beginBlock(Block.TOOL, "tool_use");
        g.writeStringField("id", clientId);
        g.writeStringField("name", name);
        g.writeObjectFieldStart("input");
        g.writeEndObject();
        sendBlockStart();
        openTool = index;
        toolBlocks[index] = openIndex;
        argumentsEnd.reset();
    }

    /** Opens a call's block that waited behind another, and sends what it collected meanwhile. */
    private void openWaiting(WaitingCall call) throws IOException {
        openTool(call.index, call.id, call.name);
        int length = call.arguments.length();
        if (length > 0) {
            if (scratch == null || scratch.length < length) {
                scratch = new char[Math.max(length, 256)];
            }
            call.arguments.getChars(0, length, scratch, 0);
            writeArguments(openIndex, scratch, 0, length);
            argumentsEnd.feed(scratch, 0, length);
        }
    }

    /** Closes the open block and gives every waiting call its block: something else is about to be written. */
    private void closeAll() throws IOException {
        closeOpen();
        while (waiting != null && !waiting.isEmpty()) {
            openWaiting(waiting.poll());
            closeOpen();
        }
    }

    private void closeOpen() throws IOException {
        if (open != Block.NONE) {
            writeStop(openIndex);
            open = Block.NONE;
        }
    }

    private void writeArguments(int index, char[] chars, int offset, int length) throws IOException {
        sendDelta(index, "input_json_delta", "partial_json", chars, offset, length);
    }

    /** A {@code content_block_delta} of {@code type} whose one member {@code field} is the fragment. */
    private void sendDelta(int index, String type, String field, char[] chars, int offset, int length)
            throws IOException {
        JsonGenerator g = beginDelta(index, type, length);
        g.writeFieldName(field);
        g.writeString(chars, offset, length);
        send();
    }

    /** A new block at the next index; {@code kind} is what stays open after its start ({@code NONE}: nothing). */
    private JsonGenerator beginBlock(Block kind, String type) throws IOException {
        open = kind;
        openIndex = nextIndex++;
        return beginInBlock(BLOCK_START, openIndex, "content_block", type, 128);
    }

    private void sendBlockStart() throws IOException {
        send();
        if (!pinged) {
            pinged = true;
            begin(PING, 16);
            send();
        }
    }

    private JsonGenerator beginDelta(String type, int length) throws IOException {
        return beginDelta(openIndex, type, length);
    }

    private JsonGenerator beginDelta(int index, String type, int length) throws IOException {
        return beginInBlock(BLOCK_DELTA, index, "delta", type, 96 + length + (length >> 2));
    }

    /** An event with an index and an inner object {@code member} of type {@code type}, left open. */
    private JsonGenerator beginInBlock(AsciiString event, int index, String member, String type, int jsonBytes)
            throws IOException {
        JsonGenerator g = begin(event, jsonBytes);
        g.writeNumberField("index", index);
        g.writeObjectFieldStart(member);
        g.writeStringField("type", type);
        return g;
    }

    private void writeStop(int index) throws IOException {
        begin(BLOCK_STOP, 48).writeNumberField("index", index);
        send();
    }

    /**
     * A new event's buffer, its JSON object begun with member {@code type} (Anthropic repeats the event name
     * there) and left open for the caller's members.
     */
    private JsonGenerator begin(AsciiString event, int jsonBytes) throws IOException {
        writing = events.beginNamed(event, jsonBytes);
        writing.writeStartObject();
        writing.writeStringField("type", event.toString());
        return writing;
    }

    /** Closes the objects still open in the event's JSON and hands the event to {@link #out}. */
    private void send() throws IOException {
        while (!writing.getOutputContext().inRoot()) {
            writing.writeEndObject();
        }
        events.send();
    }

    private static boolean blank(char[] chars, int offset, int length) {
        for (int i = offset; i < offset + length; i++) {
            if (!Character.isWhitespace(chars[i])) {
                return false;
            }
        }
        return true;
    }

    /** A tool call that started while another call's block was open with unfinished arguments. */
    private static final class WaitingCall {
        final int index;
        final String id;
        final String name;
        final StringBuilder arguments = new StringBuilder();

        WaitingCall(int index, String id, String name) {
            this.index = index;
            this.id = id;
            this.name = name;
        }
    }
}
