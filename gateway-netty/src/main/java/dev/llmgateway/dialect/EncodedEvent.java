package dev.llmgateway.dialect;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.llmgateway.json.JsonOutput;
import dev.llmgateway.sse.SseWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.AsciiString;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.Consumer;

/**
 * The SSE event a stream encoder is writing, from {@code begin…} to {@link #send}: its JSON is written straight
 * into the event's buffer after the framing (no second buffer, no copy), by one generator reused for the whole
 * stream. A sent event belongs to {@code out}; a write that fails frees the half-written one. Every client
 * dialect's stream encoder writes its events through one. Confined to the stream's thread.
 */
public final class EncodedEvent {
    private final ByteBufAllocator alloc;
    private final Consumer<ByteBuf> out;
    private final JsonOutput json = new JsonOutput();
    /** The event being written, between a begin and {@link #send}; null between events. */
    private ByteBuf pending;

    public EncodedEvent(ByteBufAllocator alloc, Consumer<ByteBuf> out) {
        this.alloc = alloc;
        this.out = out;
    }

    /** Begins {@code data: <json>} with room for about {@code jsonBytes}; write the JSON with the generator. */
    public JsonGenerator beginData(int jsonBytes) {
        return start(SseWriter.beginDataEvent(alloc, jsonBytes));
    }

    /** Begins {@code event: <name>\ndata: <json>} with room for about {@code jsonBytes}. */
    public JsonGenerator beginNamed(AsciiString name, int jsonBytes) {
        return start(SseWriter.beginNamedEvent(alloc, name, jsonBytes));
    }

    private JsonGenerator start(ByteBuf event) {
        discard();
        pending = event;
        return json.start(event);
    }

    /** Ends the event begun (its JSON must be complete) and hands it to {@code out}. */
    public void send() {
        json.end();
        ByteBuf event = SseWriter.endEvent(pending);
        pending = null;
        out.accept(event);
    }

    /** Frees the event being written, if any. */
    public void discard() {
        if (pending != null) {
            json.end();
            pending.release();
            pending = null;
        }
    }

    /** A generator failure (it writes to memory, so practically never): frees the half-written event. */
    public UncheckedIOException failed(IOException e) {
        discard();
        return new UncheckedIOException(e);
    }
}
