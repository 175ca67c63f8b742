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

    /** One replacement: {@code [start, end)} (absolute indexes) becomes {@code replacement}'s readable bytes. */
    public record Edit(int start, int end, ByteBuf replacement) {
    }

    /**
     * Returns {@code buf} with {@code [start, end)} (absolute indexes within its readable bytes) replaced by
     * {@code replacement}'s readable bytes, as a composite of retained views. Consumes {@code buf}, also on error;
     * {@code replacement} is only borrowed.
     */
    public static ByteBuf replace(ByteBufAllocator alloc, ByteBuf buf, int start, int end, ByteBuf replacement) {
        return edit(alloc, buf, new Edit(start, end, replacement));
    }

    /**
     * Applies several replacements, given in ascending order and not overlapping, in one composite; an insertion
     * is an edit with {@code start == end}. Consumes {@code buf}, also on error; replacements are only borrowed.
     */
    public static ByteBuf edit(ByteBufAllocator alloc, ByteBuf buf, Edit... edits) {
        try {
            int from = buf.readerIndex();
            int to = buf.writerIndex();
            CompositeByteBuf out = alloc.compositeBuffer(2 * edits.length + 1);
            try {
                int at = from;
                for (Edit edit : edits) {
                    if (edit.start < at || edit.end < edit.start || edit.end > to) {
                        throw new IndexOutOfBoundsException("[" + edit.start + ", " + edit.end + ") outside readable ["
                                + at + ", " + to + ") or out of order");
                    }
                    if (edit.start > at) {
                        out.addComponent(true, buf.retainedSlice(at, edit.start - at));
                    }
                    if (edit.replacement.isReadable()) {
                        out.addComponent(true, edit.replacement.retainedDuplicate());
                    }
                    at = edit.end;
                }
                if (to > at) {
                    out.addComponent(true, buf.retainedSlice(at, to - at));
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
        byte[] quoted = new byte[escaped.length + 2];
        quoted[0] = '"';
        System.arraycopy(escaped, 0, quoted, 1, escaped.length);
        quoted[quoted.length - 1] = '"';
        return literal(quoted);
    }

    /** {@code bytes} as a shared replacement, as {@link #quoted}: read-only, direct, never leak-tracked. */
    public static ByteBuf literal(byte[] bytes) {
        ByteBuffer literal = ByteBuffer.allocateDirect(bytes.length);
        literal.put(bytes).flip();
        return Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(literal)).asReadOnly();
    }
}
