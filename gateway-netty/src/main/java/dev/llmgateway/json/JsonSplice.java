package dev.llmgateway.json;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;

import java.nio.ByteBuffer;

/** Replaces a byte range of a buffer without copying the rest of it. */
public final class JsonSplice {
    private JsonSplice() {
    }

    /**
     * Returns {@code buf} with {@code [start, end)} (absolute indexes within its readable bytes) replaced by
     * {@code replacement}'s readable bytes, as a composite of retained views. Consumes {@code buf}, also on error;
     * {@code replacement} is only borrowed.
     */
    public static ByteBuf replace(ByteBufAllocator alloc, ByteBuf buf, int start, int end, ByteBuf replacement) {
        try {
            int from = buf.readerIndex();
            int to = buf.writerIndex();
            if (start < from || end < start || end > to) {
                throw new IndexOutOfBoundsException(
                        "[" + start + ", " + end + ") outside readable [" + from + ", " + to + ")");
            }
            CompositeByteBuf out = alloc.compositeBuffer(3);
            try {
                if (start > from) {
                    out.addComponent(true, buf.retainedSlice(from, start - from));
                }
                out.addComponent(true, replacement.retainedDuplicate());
                if (to > end) {
                    out.addComponent(true, buf.retainedSlice(end, to - end));
                }
                return out;
            } catch (RuntimeException | Error e) {
                out.release();
                throw e;
            }
        } finally {
            buf.release();
        }
    }

    /**
     * The JSON string literal for {@code s}, quotes and escapes included. Read-only and meant to be computed once
     * and shared (splice it in with {@link #replace}); direct, so socket writes need no copy; backed by JDK memory,
     * so it is never leak-tracked and a stray release cannot free it.
     */
    public static ByteBuf quoted(String s) {
        byte[] escaped = JsonStringEncoder.getInstance().quoteAsUTF8(s);
        ByteBuffer literal = ByteBuffer.allocateDirect(escaped.length + 2);
        literal.put((byte) '"').put(escaped).put((byte) '"').flip();
        return Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(literal)).asReadOnly();
    }
}
