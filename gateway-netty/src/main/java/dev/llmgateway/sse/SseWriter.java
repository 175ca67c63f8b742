package dev.llmgateway.sse;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.util.AsciiString;

import java.nio.ByteBuffer;

/**
 * Builds the events the gateway makes itself. Each result is one contiguous buffer: these events are small, so a
 * copy is cheaper than a composite and writes as a single piece.
 */
public final class SseWriter {
    private static final byte[] DATA = {'d', 'a', 't', 'a', ':', ' '};
    private static final byte[] EVENT = {'e', 'v', 'e', 'n', 't', ':', ' '};
    private static final byte[] END = {'\n', '\n'};

    /**
     * {@code data: [DONE]\n\n}. Direct, so a socket write needs no copy; backed by JDK memory, so it is never
     * leak-tracked and never freed by a stray release.
     */
    private static final ByteBuf DONE = Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(
            ByteBuffer.allocateDirect(14).put(AsciiString.of("data: [DONE]\n\n").array()).flip())).asReadOnly();

    private SseWriter() {
    }

    /** {@code data: <json>\n\n}. Consumes {@code json}. */
    public static ByteBuf dataEvent(ByteBufAllocator alloc, ByteBuf json) {
        try {
            return alloc.ioBuffer(DATA.length + json.readableBytes() + END.length)
                    .writeBytes(DATA).writeBytes(json, json.readerIndex(), json.readableBytes()).writeBytes(END);
        } finally {
            json.release();
        }
    }

    /** {@code event: <event>\ndata: <json>\n\n}. Consumes {@code json}. */
    public static ByteBuf namedEvent(ByteBufAllocator alloc, AsciiString event, ByteBuf json) {
        try {
            return endEvent(beginNamedEvent(alloc, event, json.readableBytes())
                    .writeBytes(json, json.readerIndex(), json.readableBytes()));
        } finally {
            json.release();
        }
    }

    /**
     * A new buffer holding {@code data: }, room for about {@code jsonBytes} more, for {@link #endEvent} to end (see
     * {@link #beginNamedEvent}). The caller owns the buffer.
     */
    public static ByteBuf beginDataEvent(ByteBufAllocator alloc, int jsonBytes) {
        return alloc.ioBuffer(DATA.length + jsonBytes + END.length).writeBytes(DATA);
    }

    /**
     * A new buffer holding {@code event: <event>\ndata: }, room for about {@code jsonBytes} more: a translating
     * encoder writes the event's JSON straight after it (no second buffer, no copy), then calls {@link #endEvent}.
     * The caller owns the buffer.
     */
    public static ByteBuf beginNamedEvent(ByteBufAllocator alloc, AsciiString event, int jsonBytes) {
        ByteBuf out = alloc.ioBuffer(EVENT.length + event.length() + 1 + DATA.length + jsonBytes + END.length);
        out.writeBytes(EVENT).writeBytes(event.array(), event.arrayOffset(), event.length()).writeByte('\n');
        return out.writeBytes(DATA);
    }

    /** Ends an event begun with {@link #beginNamedEvent} or {@link #beginDataEvent}: its blank line; returns it. */
    public static ByteBuf endEvent(ByteBuf event) {
        return event.writeBytes(END);
    }

    /**
     * {@code data: [DONE]\n\n} as a fresh read-only view of one shared buffer: its own indexes (a channel
     * advances them while writing), and releasing it is harmless.
     */
    public static ByteBuf done() {
        return DONE.duplicate();
    }
}
