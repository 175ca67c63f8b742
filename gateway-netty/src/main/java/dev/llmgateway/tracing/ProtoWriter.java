package dev.llmgateway.tracing;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Protocol Buffers' wire format written into one byte array that grows as needed and is reused from export to
 * export (the export thread's only buffer). A nested message is opened with one byte reserved for its length and
 * closed by writing the length there, moving the message along when the length takes more than one byte: the
 * output is the canonical encoding, in one pass, without sizing anything first. Confined to one thread.
 */
final class ProtoWriter {
    private static final int VARINT = 0;
    private static final int FIXED64 = 1;
    private static final int LEN = 2;
    private static final int FIXED32 = 5;
    /** Deeper than any OTLP message the gateway writes (request, resource spans, scope spans, span, value, array). */
    private static final int MAX_DEPTH = 16;

    private final int initialCapacity;
    private byte[] bytes;
    private int position;
    private final int[] openedAt = new int[MAX_DEPTH];
    private int depth;

    ProtoWriter(int initialCapacity) {
        this.initialCapacity = initialCapacity;
        bytes = new byte[initialCapacity];
    }

    /** Starts a new message, keeping the array unless a rare large one grew it past {@code keepAtMost} bytes. */
    void reset(int keepAtMost) {
        if (bytes.length > keepAtMost) {
            bytes = new byte[initialCapacity];
        }
        position = 0;
        depth = 0;
    }

    byte[] array() {
        return bytes;
    }

    int length() {
        return position;
    }

    /** Opens the nested message (or packed run) of {@code field}; {@link #close} ends it. */
    void open(int field) {
        tag(field, LEN);
        ensure(1);
        openedAt[depth++] = position++;
    }

    /** Ends the message the last {@link #open} began, writing its length before it. */
    void close() {
        int lengthAt = openedAt[--depth];
        int length = position - lengthAt - 1;
        int size = varintSize(length);
        if (size > 1) {
            ensure(size - 1);
            System.arraycopy(bytes, lengthAt + 1, bytes, lengthAt + size, length);
            position += size - 1;
        }
        int at = lengthAt;
        long value = length;
        while ((value & ~0x7FL) != 0) {
            bytes[at++] = (byte) ((value & 0x7F) | 0x80);
            value >>>= 7;
        }
        bytes[at] = (byte) value;
    }

    /** An int64 or enum field (a negative value takes ten bytes, as protobuf writes it). */
    void int64(int field, long value) {
        tag(field, VARINT);
        varint(value);
    }

    void bool(int field, boolean value) {
        tag(field, VARINT);
        ensure(1);
        bytes[position++] = (byte) (value ? 1 : 0);
    }

    void fixed64(int field, long value) {
        tag(field, FIXED64);
        ensure(8);
        for (int i = 0; i < 8; i++) {
            bytes[position++] = (byte) (value >>> (8 * i));
        }
    }

    void fixed32(int field, int value) {
        tag(field, FIXED32);
        ensure(4);
        for (int i = 0; i < 4; i++) {
            bytes[position++] = (byte) (value >>> (8 * i));
        }
    }

    void double64(int field, double value) {
        fixed64(field, Double.doubleToRawLongBits(value));
    }

    /** A 16-byte id (a trace id), most significant byte first, as OTLP's ids are. */
    void id(int field, long high, long low) {
        tag(field, LEN);
        varint(16);
        bigEndian(high);
        bigEndian(low);
    }

    /** An 8-byte id (a span id). */
    void id(int field, long value) {
        tag(field, LEN);
        varint(8);
        bigEndian(value);
    }

    /** One ASCII char within the message opened last. */
    void ascii(char c) {
        ensure(1);
        bytes[position++] = (byte) c;
    }

    /** Bytes encoded once beforehand (a field or several, tags included), written as they are. */
    void raw(byte[] encoded) {
        ensure(encoded.length);
        System.arraycopy(encoded, 0, bytes, position, encoded.length);
        position += encoded.length;
    }

    /**
     * A string field in UTF-8. An unpaired surrogate becomes {@code ?}, as {@link String#getBytes} makes it: OTLP's
     * strings must be valid UTF-8, which a parser checks.
     */
    void string(int field, String value) {
        open(field);
        utf8(value);
        close();
    }

    /** {@code value} in UTF-8 within the message opened last (for a string written in parts). */
    void utf8(String value) {
        int length = value.length();
        ensure(length);
        int i = 0;
        // ASCII, the common case, one byte per char.
        for (; i < length; i++) {
            char c = value.charAt(i);
            if (c >= 0x80) {
                break;
            }
            bytes[position++] = (byte) c;
        }
        for (; i < length; i++) {
            char c = value.charAt(i);
            if (c < 0x80) {
                ensure(1);
                bytes[position++] = (byte) c;
            } else if (c < 0x800) {
                ensure(2);
                bytes[position++] = (byte) (0xC0 | (c >>> 6));
                bytes[position++] = (byte) (0x80 | (c & 0x3F));
            } else if (Character.isHighSurrogate(c) && i + 1 < length
                    && Character.isLowSurrogate(value.charAt(i + 1))) {
                int codePoint = Character.toCodePoint(c, value.charAt(++i));
                ensure(4);
                bytes[position++] = (byte) (0xF0 | (codePoint >>> 18));
                bytes[position++] = (byte) (0x80 | ((codePoint >>> 12) & 0x3F));
                bytes[position++] = (byte) (0x80 | ((codePoint >>> 6) & 0x3F));
                bytes[position++] = (byte) (0x80 | (codePoint & 0x3F));
            } else if (Character.isSurrogate(c)) {
                ensure(1);
                bytes[position++] = '?';
            } else {
                ensure(3);
                bytes[position++] = (byte) (0xE0 | (c >>> 12));
                bytes[position++] = (byte) (0x80 | ((c >>> 6) & 0x3F));
                bytes[position++] = (byte) (0x80 | (c & 0x3F));
            }
        }
    }

    /** A string field encoded once beforehand, for {@link #raw}. */
    static byte[] encodedString(int field, String value) {
        ProtoWriter writer = new ProtoWriter(value.getBytes(StandardCharsets.UTF_8).length + 16);
        writer.string(field, value);
        return Arrays.copyOf(writer.bytes, writer.position);
    }

    private void tag(int field, int wireType) {
        varint(((long) field << 3) | wireType);
    }

    private void varint(long value) {
        ensure(10);
        while ((value & ~0x7FL) != 0) {
            bytes[position++] = (byte) ((value & 0x7F) | 0x80);
            value >>>= 7;
        }
        bytes[position++] = (byte) value;
    }

    private void bigEndian(long value) {
        ensure(8);
        for (int i = 7; i >= 0; i--) {
            bytes[position++] = (byte) (value >>> (8 * i));
        }
    }

    private static int varintSize(long value) {
        int size = 1;
        while ((value & ~0x7FL) != 0) {
            value >>>= 7;
            size++;
        }
        return size;
    }

    private void ensure(int more) {
        if (position + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, position + more));
        }
    }
}
