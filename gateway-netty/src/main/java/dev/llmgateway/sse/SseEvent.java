package dev.llmgateway.sse;

import io.netty.buffer.ByteBuf;
import io.netty.util.AsciiString;

/**
 * One framed event. A flyweight the framer reuses, so it is valid only during {@link SseEventHandler#onEvent};
 * query it before handing {@link #content()} on, since a channel write may release the content.
 */
public final class SseEvent {
    private static final AsciiString DONE = AsciiString.cached("[DONE]");

    private ByteBuf content;
    private int dataLineCount;
    private int dataOffset;
    private int dataLength;
    private int nameOffset;
    private int nameLength;
    private boolean done;

    SseEvent() {
    }

    void set(ByteBuf content, int dataLineCount, int dataOffset, int dataLength, int nameOffset, int nameLength) {
        this.content = content;
        this.dataLineCount = dataLineCount;
        this.dataOffset = dataOffset;
        this.dataLength = dataLength;
        this.nameOffset = nameOffset;
        this.nameLength = nameLength;
        // Decided now: the handler may pass the content on (and lose it) before asking.
        this.done = dataLineCount == 1 && matches(dataOffset, dataLength, DONE);
    }

    /** Drops the reference so a stale flyweight never points at a buffer the handler has released. */
    void clear() {
        content = null;
    }

    /**
     * The event's raw bytes exactly as received, terminator included (none for an event completed by
     * {@link SseFramer#finish()}). Ownership passes to the handler.
     */
    public ByteBuf content() {
        return content;
    }

    /** At least one {@code data} field. */
    public boolean hasData() {
        return dataLineCount > 0;
    }

    /** Absolute index in {@link #content()} of the first data line's value. */
    public int dataOffset() {
        return dataOffset;
    }

    /** Length of the first data line's value. */
    public int dataLength() {
        return dataLength;
    }

    public int dataLineCount() {
        return dataLineCount;
    }

    /** The single data value is exactly {@code [DONE]} (the OpenAI end-of-stream sentinel). */
    public boolean isDone() {
        return done;
    }

    public boolean hasEventName() {
        return nameOffset >= 0;
    }

    /** The (last) {@code event} field's value equals {@code name}; compares bytes, allocates nothing. */
    public boolean eventNameIs(AsciiString name) {
        return nameOffset >= 0 && matches(nameOffset, nameLength, name);
    }

    private boolean matches(int offset, int length, AsciiString expected) {
        if (length != expected.length()) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (content.getByte(offset + i) != expected.byteAt(i)) {
                return false;
            }
        }
        return true;
    }
}
