package dev.llmgateway.accesslog;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Log lines as UTF-8 bytes in one array: an event loop formats its lines straight into a batch and hands the whole
 * batch to the writer thread, which writes it with one call. Confined to one thread at a time: the loop while it
 * appends, the writer once handed over. The array grows only for a line longer than the room left (a huge model
 * name, say). Public so the benchmark can format into one.
 */
public final class LineBatch {
    private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NULL = ascii("null");
    /** The most bytes one char becomes: a six-byte unicode escape in JSON (UTF-8 needs at most three). */
    private static final int MAX_BYTES_PER_CHAR = 6;

    private byte[] bytes;
    private int length;
    private int lines;

    public LineBatch(int capacity) {
        this.bytes = new byte[capacity];
    }

    /** Bytes written so far. */
    public int length() {
        return length;
    }

    /** Complete lines written so far. */
    public int lines() {
        return lines;
    }

    /** Empties the batch for reuse, keeping its array. */
    public void clear() {
        length = 0;
        lines = 0;
    }

    int capacity() {
        return bytes.length;
    }

    byte[] array() {
        return bytes;
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    void endLine() {
        put('\n');
        lines++;
    }

    LineBatch put(char asciiChar) {
        ensure(1);
        bytes[length++] = (byte) asciiChar;
        return this;
    }

    /** Bytes already encoded: a constant. */
    LineBatch put(byte[] raw) {
        ensure(raw.length);
        System.arraycopy(raw, 0, bytes, length, raw.length);
        length += raw.length;
        return this;
    }

    /** {@code s} as is; an unpaired surrogate becomes {@code ?}, as {@link String#getBytes} makes it. */
    LineBatch text(String s) {
        return text(s, s.length());
    }

    /** The first {@code end} chars of {@code s} as is. */
    LineBatch text(String s, int end) {
        ensure(MAX_BYTES_PER_CHAR * end);
        for (int i = 0; i < end; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                bytes[length++] = (byte) c;
            } else if (Character.isSurrogate(c)) {
                int cp = i + 1 < end ? Character.codePointAt(s, i) : c;
                if (Character.isSupplementaryCodePoint(cp)) {
                    utf8(cp);
                    i++;
                } else {
                    bytes[length++] = '?';
                }
            } else {
                utf8(c);
            }
        }
        return this;
    }

    /** {@code null}, or {@code s} quoted and escaped exactly as Jackson's generator writes a string by default. */
    LineBatch jsonString(String s) {
        return s == null ? nullValue() : jsonString(s, s.length());
    }

    /** The first {@code end} chars of {@code s}, quoted and escaped. */
    LineBatch jsonString(String s, int end) {
        ensure(MAX_BYTES_PER_CHAR * end + 2);
        bytes[length++] = '"';
        for (int i = 0; i < end; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
                bytes[length++] = (byte) c;
            } else if (c < 0x80) {
                escape(c);
            } else if (Character.isSurrogate(c)) {
                // Jackson escapes each half of a pair rather than writing the code point's four bytes.
                unicodeEscape(c);
            } else {
                utf8(c);
            }
        }
        bytes[length++] = '"';
        return this;
    }

    /** JSON's {@code null}. */
    LineBatch nullValue() {
        return put(NULL);
    }

    /** {@code null} for a negative (unknown) count, else the number. */
    LineBatch count(long v) {
        return v < 0 ? nullValue() : decimal(v);
    }

    LineBatch decimal(long v) {
        // Digits are produced from the negative value, which also has room for Long.MIN_VALUE.
        long n = v < 0 ? v : -v;
        int digits = 1;
        for (long t = n; t <= -10; t /= 10) {
            digits++;
        }
        ensure(digits + 1);
        if (v < 0) {
            bytes[length++] = '-';
        }
        for (int i = length + digits - 1; i >= length; i--) {
            bytes[i] = (byte) ('0' - n % 10);
            n /= 10;
        }
        length += digits;
        return this;
    }

    /** {@code v} (non-negative) zero-padded to {@code width} digits. */
    LineBatch padded(long v, int width) {
        ensure(width);
        for (int i = length + width - 1; i >= length; i--) {
            bytes[i] = (byte) ('0' + v % 10);
            v /= 10;
        }
        length += width;
        return this;
    }

    private void escape(char c) {
        char shortForm = switch (c) {
            case '"' -> '"';
            case '\\' -> '\\';
            case '\b' -> 'b';
            case '\t' -> 't';
            case '\n' -> 'n';
            case '\f' -> 'f';
            case '\r' -> 'r';
            default -> 0;
        };
        if (shortForm != 0) {
            bytes[length++] = '\\';
            bytes[length++] = (byte) shortForm;
        } else {
            unicodeEscape(c);
        }
    }

    private void unicodeEscape(char c) {
        bytes[length++] = '\\';
        bytes[length++] = 'u';
        bytes[length++] = HEX[c >> 12];
        bytes[length++] = HEX[(c >> 8) & 0xF];
        bytes[length++] = HEX[(c >> 4) & 0xF];
        bytes[length++] = HEX[c & 0xF];
    }

    /** One code point of 0x80 or more (not a lone surrogate); room already ensured. */
    private void utf8(int cp) {
        if (cp < 0x800) {
            bytes[length++] = (byte) (0xC0 | cp >> 6);
        } else {
            if (cp < 0x10000) {
                bytes[length++] = (byte) (0xE0 | cp >> 12);
            } else {
                bytes[length++] = (byte) (0xF0 | cp >> 18);
                bytes[length++] = (byte) (0x80 | (cp >> 12) & 0x3F);
            }
            bytes[length++] = (byte) (0x80 | (cp >> 6) & 0x3F);
        }
        bytes[length++] = (byte) (0x80 | cp & 0x3F);
    }

    private void ensure(int more) {
        if (length + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
        }
    }
}
