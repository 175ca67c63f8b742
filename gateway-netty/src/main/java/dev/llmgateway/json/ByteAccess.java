package dev.llmgateway.json;

import io.netty.buffer.ByteBuf;
import io.netty.util.internal.PlatformDependent;

/**
 * Reads of buffer bytes for the scans that look at every word of an event. A direct buffer is read at its memory
 * address: its accessors check bounds on every call and, with leak detection at its paranoid level (the tests'),
 * record a stack trace per call, which made a scan of a large event cost milliseconds. The callers stay within the
 * buffer's readable bytes and hold it for the whole scan. Other buffers (heap, composite) use their accessors.
 */
final class ByteAccess {
    private ByteAccess() {
    }

    /** The address of {@code buf}'s index 0, or 0 when it has none and the accessors must be used. */
    static long address(ByteBuf buf) {
        return buf.hasMemoryAddress() ? buf.memoryAddress() : 0;
    }

    static byte byteAt(ByteBuf buf, long address, int index) {
        return address != 0 ? PlatformDependent.getByte(address + index) : buf.getByte(index);
    }

    /** Eight bytes from {@code index}, the first in the lowest byte. */
    static long longLE(ByteBuf buf, long address, int index) {
        if (address == 0) {
            return buf.getLongLE(index);
        }
        long word = PlatformDependent.getLong(address + index);
        return PlatformDependent.BIG_ENDIAN_NATIVE_ORDER ? Long.reverseBytes(word) : word;
    }
}
