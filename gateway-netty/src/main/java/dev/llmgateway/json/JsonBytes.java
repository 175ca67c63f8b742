package dev.llmgateway.json;

import io.netty.buffer.ByteBuf;

/**
 * Checks on JSON text that need no parser, for the relay's per-event questions (where is the member named so, is
 * its value {@code null}, is this an object at all), whatever whitespace the writer put between tokens: compact
 * JSON (the common case) answers in a few byte reads, and so does the spaced JSON of Python's {@code json.dumps}.
 * Members are recognized by their delimiters, not by their depth: a name is a quoted string followed by a colon,
 * and preceded by {@code {} or {@code ,}; a string value is followed by neither. Every check reads a few bytes, at
 * the buffer's address where it has one ({@link ByteAccess}); callers pass ranges within its readable bytes.
 */
public final class JsonBytes {
    private JsonBytes() {
    }

    private static byte byteAt(ByteBuf buf, int index) {
        return ByteAccess.byteAt(buf, ByteAccess.address(buf), index);
    }

    public static boolean isWhitespace(byte b) {
        return b == ' ' || b == '\n' || b == '\r' || b == '\t';
    }

    /** The first index in {@code [at, end)} that is not whitespace, or {@code end}. */
    public static int skipWhitespace(ByteBuf buf, int at, int end) {
        long address = ByteAccess.address(buf);
        while (at < end && isWhitespace(ByteAccess.byteAt(buf, address, at))) {
            at++;
        }
        return at;
    }

    /** The last index in {@code [from, before)} that is not whitespace, or {@code from - 1}. */
    public static int lastNonWhitespace(ByteBuf buf, int from, int before) {
        long address = ByteAccess.address(buf);
        int at = before - 1;
        while (at >= from && isWhitespace(ByteAccess.byteAt(buf, address, at))) {
            at--;
        }
        return at;
    }

    /** Whether {@code buf[from, to)} is delimited as one object: a {@code {} first and a {@code }} last. */
    public static boolean delimitsObject(ByteBuf buf, int from, int to) {
        int first = skipWhitespace(buf, from, to);
        int last = lastNonWhitespace(buf, first, to);
        return last > first && byteAt(buf, first) == '{' && byteAt(buf, last) == '}';
    }

    /**
     * The last member of {@code buf[from, to)} named as {@code quotedName} (a pattern of the name with its quotes):
     * packed as {@code (name start << 32) | value start}, or -1. The same string as a value is passed over.
     */
    public static long lastMember(ByteBuf buf, BytePattern quotedName, int from, int to) {
        for (int end = to, name; (name = quotedName.lastIndexIn(buf, from, end)) >= 0; end = name) {
            int value = valueAfterName(buf, name, name + quotedName.length(), from, to);
            if (value >= 0) {
                return (long) name << 32 | value;
            }
        }
        return -1;
    }

    /** The first member's value when its name is {@code quotedName}, or -1. */
    public static int firstMemberValue(ByteBuf buf, byte[] quotedName, int from, int to) {
        int open = skipWhitespace(buf, from, to);
        if (open == to || byteAt(buf, open) != '{') {
            return -1;
        }
        int name = skipWhitespace(buf, open + 1, to);
        return spells(buf, name, to, quotedName) ? valueAfterName(buf, name, name + quotedName.length, from, to) : -1;
    }

    /** Where the value after the name {@code buf[name, nameEnd)} starts, or -1 when no member is delimited so. */
    private static int valueAfterName(ByteBuf buf, int name, int nameEnd, int from, int to) {
        int before = lastNonWhitespace(buf, from, name);
        if (before < from || byteAt(buf, before) != '{' && byteAt(buf, before) != ',') {
            return -1;
        }
        int colon = skipWhitespace(buf, nameEnd, to);
        if (colon == to || byteAt(buf, colon) != ':') {
            return -1;
        }
        int value = skipWhitespace(buf, colon + 1, to);
        return value < to ? value : -1;
    }

    /** Whether {@code buf[at, to)} begins with {@code literal}. */
    public static boolean spells(ByteBuf buf, int at, int to, byte[] literal) {
        if (to - at < literal.length) {
            return false;
        }
        long address = ByteAccess.address(buf);
        for (int i = 0; i < literal.length; i++) {
            if (ByteAccess.byteAt(buf, address, at + i) != literal[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * The bytes to take out to remove the member from {@code name} to {@code valueEnd} with one comma beside it
     * (the one before, else the one after), so what remains is the same object without it: packed as
     * {@code (start << 32) | end}, or -1 when the member is not delimited by {@code {}/{@code ,} and
     * {@code ,}/{@code }}.
     */
    public static long memberExtent(ByteBuf buf, int name, int valueEnd, int from, int to) {
        int before = lastNonWhitespace(buf, from, name);
        int after = skipWhitespace(buf, valueEnd, to);
        if (before < from || after == to) {
            return -1;
        }
        byte opening = byteAt(buf, before);
        byte closing = byteAt(buf, after);
        if (opening == ',' && (closing == ',' || closing == '}')) {
            return (long) before << 32 | valueEnd;
        }
        if (opening == '{' && closing == ',') {
            return (long) name << 32 | skipWhitespace(buf, after + 1, to);
        }
        return opening == '{' && closing == '}' ? (long) name << 32 | valueEnd : -1;
    }
}
