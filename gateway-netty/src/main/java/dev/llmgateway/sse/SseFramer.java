package dev.llmgateway.sse;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.util.ByteProcessor;

/**
 * Splits a byte stream into server-sent events (WHATWG rules: lines end at LF, CRLF or CR; a blank line ends an
 * event) and hands each event on as the bytes it arrived in.
 *
 * <p>Every input byte ends up in exactly one emitted event, so forwarding every {@link SseEvent#content()}
 * reproduces the stream byte for byte. Bytes that form no field (a stray blank line, or the LF of a CRLF whose
 * event was already emitted at the CR) are emitted as events without data.
 *
 * <p>An event inside one chunk is a retained slice of that chunk; only an event split across chunks is gathered
 * in a composite of retained slices, one component per chunk and never consolidated, so each byte is scanned and
 * held once: framing costs time linear in the stream, however long one line grows. An event may hold at most
 * {@code maxEventBytes}; a longer one (an endless line, a flood of fields) stops the framer
 * ({@link #oversized()}): what it held is freed and every later byte is dropped, for the stream has failed.
 * One framer per stream, confined to one thread.
 */
public final class SseFramer {
    // Where the parser is within the current line.
    private static final int LINE_START = 0;
    private static final int NAME = 1;
    private static final int VALUE_START = 2;
    private static final int VALUE = 3;

    // Which field the current line sets.
    private static final int COMMENT = 0;
    private static final int OTHER = 1;
    private static final int DATA = 2;
    private static final int EVENT = 3;

    private static final long DATA_NAME = pack("data");
    private static final long EVENT_NAME = pack("event");

    private final SseEventHandler handler;
    private final int maxEventBytes;
    private final SseEvent event = new SseEvent();

    /** Earlier chunks' bytes of the current event; null while the event lies in the current chunk. */
    private CompositeByteBuf pending;
    /** Bytes held in {@link #pending}. */
    private int carried;
    /** Index in the current chunk where the current event's bytes in this chunk begin. */
    private int eventStart;
    private boolean closed;
    private boolean oversized;

    // The current event; offsets are relative to its first byte.
    private boolean hasField;
    private int dataLineCount;
    private int dataOffset;
    private int dataLength;
    private int nameOffset = -1;
    private int nameLength;

    // The current line.
    private int lineState = LINE_START;
    private int field;
    private long nameBytes;
    private int nameLen;
    private int valueStart;
    /** The last line ended at a CR: an LF that follows belongs to that line end. */
    private boolean skipLf;

    public SseFramer(SseEventHandler handler, int maxEventBytes) {
        this.handler = handler;
        this.maxEventBytes = maxEventBytes;
    }

    /** True once an event grew past {@code maxEventBytes}: the framer has stopped and emits nothing more. */
    public boolean oversized() {
        return oversized;
    }

    /** Takes ownership of {@code chunk} (always released or handed on). Emits every event completed by it. */
    public void feed(ByteBuf chunk) {
        try {
            if (closed) {
                return;
            }
            int end = chunk.writerIndex();
            int i = chunk.readerIndex();
            eventStart = i;
            while (i < end && !closed) {
                i = step(chunk, i, end);
            }
            if (eventStart < end && !closed) {
                carry(chunk, end);
            }
        } finally {
            chunk.release();
        }
    }

    /** End of stream: emits a last event that had no blank line after it (if it holds any field), then frees state. */
    public void finish() {
        if (closed) {
            return;
        }
        closed = true;
        CompositeByteBuf tail = pending;
        pending = null;
        if (tail == null) {
            return;
        }
        if (lineState == NAME) {
            field = fieldOf();
            valueStart = carried;
        } else if (lineState == VALUE_START) {
            valueStart = carried;
        }
        if (lineState != LINE_START) {
            endField(carried);
        }
        if (hasField) {
            dispatch(tail);
        } else {
            // Only comments: nothing a client could act on.
            tail.release();
        }
    }

    /** Abort: frees any partial event without emitting it. Safe to call twice and after {@link #finish()}. */
    public void release() {
        closed = true;
        if (pending != null) {
            CompositeByteBuf p = pending;
            pending = null;
            p.release();
        }
    }

    /** Consumes at least one byte from index {@code i}; returns the next index. */
    private int step(ByteBuf chunk, int i, int end) {
        if (skipLf) {
            skipLf = false;
            if (chunk.getByte(i) == '\n') {
                if (carried == 0 && eventStart == i) {
                    // The LF of a CRLF blank line whose event went out at the CR.
                    emit(chunk, i + 1);
                }
                return i + 1;
            }
        }
        switch (lineState) {
            case LINE_START: {
                byte b = chunk.getByte(i);
                if (b == '\n' || b == '\r') {
                    return blankLine(chunk, i, end);
                }
                if (b == ':') {
                    field = COMMENT;
                    lineState = VALUE;
                    return i + 1;
                }
                nameBytes = 0;
                nameLen = 0;
                lineState = NAME;
                return i;
            }
            case NAME: {
                byte b = chunk.getByte(i);
                if (b == ':') {
                    field = fieldOf();
                    lineState = VALUE_START;
                    return i + 1;
                }
                if (b == '\n' || b == '\r') {
                    // A name without a colon is a field with an empty value.
                    field = fieldOf();
                    valueStart = rel(i);
                    return endLine(chunk, i);
                }
                nameBytes = nameBytes << 8 | (b & 0xFF);
                nameLen++;
                return i + 1;
            }
            case VALUE_START:
                if (chunk.getByte(i) == ' ') {
                    i++;
                }
                valueStart = rel(i);
                lineState = VALUE;
                return i;
            default: {
                int eol = chunk.forEachByte(i, end - i, ByteProcessor.FIND_CRLF);
                return eol < 0 ? end : endLine(chunk, eol);
            }
        }
    }

    private int blankLine(ByteBuf chunk, int i, int end) {
        int stop = i + 1;
        if (chunk.getByte(i) == '\r') {
            if (stop == end) {
                // Never wait for the next chunk: emit now and let its LF, if any, go out on its own.
                skipLf = true;
            } else if (chunk.getByte(stop) == '\n') {
                stop++;
            }
        }
        emit(chunk, stop);
        return stop;
    }

    private int endLine(ByteBuf chunk, int eol) {
        endField(rel(eol));
        skipLf = chunk.getByte(eol) == '\r';
        return eol + 1;
    }

    private void endField(int valueEnd) {
        lineState = LINE_START;
        if (field == COMMENT) {
            return;
        }
        hasField = true;
        if (field == DATA) {
            if (dataLineCount++ == 0) {
                dataOffset = valueStart;
                dataLength = valueEnd - valueStart;
            }
        } else if (field == EVENT) {
            nameOffset = valueStart;
            nameLength = valueEnd - valueStart;
        }
    }

    private int fieldOf() {
        if (nameLen == 4 && nameBytes == DATA_NAME) {
            return DATA;
        }
        return nameLen == 5 && nameBytes == EVENT_NAME ? EVENT : OTHER;
    }

    /** Offset of chunk index {@code i} from the current event's first byte. */
    private int rel(int i) {
        return carried + i - eventStart;
    }

    /** Emits the current event, which ends just before chunk index {@code stop}. */
    private void emit(ByteBuf chunk, int stop) {
        if (tooLarge(stop - eventStart)) {
            return;
        }
        ByteBuf part = chunk.retainedSlice(eventStart, stop - eventStart);
        eventStart = stop;
        if (pending == null) {
            dispatch(part);
        } else {
            CompositeByteBuf whole = pending;
            pending = null;
            dispatch(whole.addComponent(true, part));
        }
    }

    private void dispatch(ByteBuf content) {
        event.set(content, dataLineCount, dataOffset, dataLength, nameOffset, nameLength);
        // Reset before the handler runs so a throwing handler leaves the framer consistent.
        carried = 0;
        hasField = false;
        dataLineCount = 0;
        nameOffset = -1;
        try {
            handler.onEvent(event);
        } finally {
            event.clear();
        }
    }

    /** Keeps the unfinished event's bytes from this chunk for the next one. */
    private void carry(ByteBuf chunk, int end) {
        if (tooLarge(end - eventStart)) {
            return;
        }
        if (pending == null) {
            pending = chunk.alloc().compositeBuffer(Integer.MAX_VALUE);
        }
        pending.addComponent(true, chunk.retainedSlice(eventStart, end - eventStart));
        carried += end - eventStart;
    }

    /** With {@code more} bytes of this chunk, would the current event pass the limit? Then the framer stops. */
    private boolean tooLarge(int more) {
        if ((long) carried + more <= maxEventBytes) {
            return false;
        }
        oversized = true;
        release();
        return true;
    }

    private static long pack(String name) {
        long packed = 0;
        for (int i = 0; i < name.length(); i++) {
            packed = packed << 8 | name.charAt(i);
        }
        return packed;
    }
}
