package dev.llmgateway.json;

import io.netty.buffer.ByteBuf;

/**
 * Reads JSON tokens straight from buffer bytes, for the few small values the relay reads out of every answer (its
 * usage report, its top-level {@code model}) without making a parser for each. It reads a strict subset of JSON and
 * reads it exactly: names of ASCII text, strings of ASCII text and escapes, numbers, {@code true}, {@code false},
 * {@code null}, objects and arrays nested up to {@link #MAX_DEPTH}, each scalar followed by whitespace or a
 * delimiter. Whatever
 * lies outside that subset — malformed or cut JSON, but also valid text it does not read (non-ASCII characters,
 * deeper nesting) — is {@link #UNREAD}: the caller hands that input to Jackson, which decides. So anything it reads,
 * it reads as Jackson would, and never accepts what Jackson would reject.
 *
 * <p>Indexes are absolute and stay within {@code [at, end)}; a direct buffer is read at its address
 * ({@link ByteAccess}).
 */
public final class JsonTokens {
    /** Not read: the input is outside the subset, and a parser must decide. */
    public static final int UNREAD = -1;
    /** From {@link Members#member}: the visitor has what it wanted, the walk ends here. */
    public static final int STOP = -2;
    /** Deeper values are left to the parser: the walk recurses once per level. */
    private static final int MAX_DEPTH = 16;
    /** An integer of up to 18 digits always fits in a long; longer ones are left to the parser. */
    private static final int MAX_INTEGER_DIGITS = 18;
    /** Longer numbers and strings are left to the parser, whose own limits (number length, name length) judge them. */
    private static final int MAX_NUMBER_BYTES = 100;
    private static final int MAX_STRING_BYTES = 40_000;
    private static final byte[] TRUE = {'t', 'r', 'u', 'e'};
    private static final byte[] FALSE = {'f', 'a', 'l', 's', 'e'};
    private static final byte[] NULL = {'n', 'u', 'l', 'l'};

    private JsonTokens() {
    }

    /** Hears each member of the object {@link #walkObject} walks, and reads or skips its value. */
    public interface Members {
        /**
         * The member whose name token (quotes included) is {@code buf[name, nameEnd)} and whose value starts at
         * {@code value}: returns the index just past the value, {@link #UNREAD}, or {@link #STOP}.
         */
        int member(ByteBuf buf, int name, int nameEnd, int value, int end);
    }

    /**
     * Walks the object that starts at {@code open} (its opening brace), handing each member to {@code members}:
     * the index just past the object, {@link #UNREAD}, or {@link #STOP} when {@code members} stopped it.
     */
    public static int walkObject(ByteBuf buf, int open, int end, Members members) {
        long address = ByteAccess.address(buf);
        return open < end && ByteAccess.byteAt(buf, address, open) == '{'
                ? containerEnd(buf, address, open, end, 1, members) : UNREAD;
    }

    /** The byte at {@code index}, at the buffer's address where it has one. */
    public static byte byteAt(ByteBuf buf, int index) {
        return ByteAccess.byteAt(buf, ByteAccess.address(buf), index);
    }

    /** The index just past the value that starts at {@code at} (its first byte), or {@link #UNREAD}. */
    public static int valueEnd(ByteBuf buf, int at, int end) {
        return valueEnd(buf, ByteAccess.address(buf), at, end, 0);
    }

    /**
     * The index just past the string that starts at {@code at} (its opening quote), or {@link #UNREAD}: also for a
     * string with a non-ASCII byte or a control character in it.
     */
    public static int stringEnd(ByteBuf buf, int at, int end) {
        return stringEnd(buf, ByteAccess.address(buf), at, end);
    }

    /**
     * The index just past the integer that starts at {@code at} ({@code -?(0|[1-9][0-9]*)}, at most
     * {@value #MAX_INTEGER_DIGITS} digits) when whitespace or a delimiter follows it, else {@link #UNREAD}: also for a
     * number with a fraction or an exponent, which is no integer to Jackson either.
     */
    public static int integerEnd(ByteBuf buf, int at, int end) {
        long address = ByteAccess.address(buf);
        int digits = at < end && ByteAccess.byteAt(buf, address, at) == '-' ? at + 1 : at;
        int after = digitsEnd(buf, address, digits, end);
        if (after == digits || after - digits > MAX_INTEGER_DIGITS
                || after - digits > 1 && ByteAccess.byteAt(buf, address, digits) == '0') {
            return UNREAD;
        }
        return endsScalar(buf, address, after, end) ? after : UNREAD;
    }

    /**
     * The index just past the value at {@code at}, to pass over one that {@link #integerEnd} did not read as an
     * integer; {@link #UNREAD} when it is a number, which the parser must tell an integer from (one of 19 digits or
     * more is an integer to Jackson, one with a fraction or exponent is not).
     */
    public static int nonIntegerEnd(ByteBuf buf, int at, int end) {
        byte first = at < end ? byteAt(buf, at) : 0;
        return first == '-' || first >= '0' && first <= '9' ? UNREAD : valueEnd(buf, at, end);
    }

    /** The value of the integer {@code buf[at, end)} that {@link #integerEnd} read. */
    public static long integer(ByteBuf buf, int at, int end) {
        long address = ByteAccess.address(buf);
        boolean negative = ByteAccess.byteAt(buf, address, at) == '-';
        long value = 0;
        for (int i = negative ? at + 1 : at; i < end; i++) {
            value = value * 10 + (ByteAccess.byteAt(buf, address, i) - '0');
        }
        return negative ? -value : value;
    }

    /** Whether the string token {@code buf[at, end)} (quotes included, from {@link #stringEnd}) is {@code quoted}. */
    public static boolean stringIs(ByteBuf buf, int at, int end, byte[] quoted) {
        return end - at == quoted.length && JsonBytes.spells(buf, at, end, quoted);
    }

    private static int valueEnd(ByteBuf buf, long address, int at, int end, int depth) {
        if (at >= end) {
            return UNREAD;
        }
        return switch (ByteAccess.byteAt(buf, address, at)) {
            case '"' -> stringEnd(buf, address, at, end);
            case '{', '[' -> depth < MAX_DEPTH ? containerEnd(buf, address, at, end, depth + 1, null) : UNREAD;
            case 't' -> literalEnd(buf, address, at, end, TRUE);
            case 'f' -> literalEnd(buf, address, at, end, FALSE);
            case 'n' -> literalEnd(buf, address, at, end, NULL);
            default -> numberEnd(buf, address, at, end);
        };
    }

    /**
     * The object or array that starts at {@code open}: the index just past it, {@link #UNREAD} or {@link #STOP}. An
     * object's members go to {@code members}; with none, every value is skipped.
     */
    private static int containerEnd(ByteBuf buf, long address, int open, int end, int depth, Members members) {
        boolean object = ByteAccess.byteAt(buf, address, open) == '{';
        byte close = object ? (byte) '}' : (byte) ']';
        int at = JsonBytes.skipWhitespace(buf, open + 1, end);
        if (at < end && ByteAccess.byteAt(buf, address, at) == close) {
            return at + 1;
        }
        for (;;) {
            int value = object ? memberEnd(buf, address, at, end, depth, members)
                    : valueEnd(buf, address, at, end, depth);
            if (value < 0) {
                return value;
            }
            at = JsonBytes.skipWhitespace(buf, value, end);
            byte next = at < end ? ByteAccess.byteAt(buf, address, at) : 0;
            if (next == close) {
                return at + 1;
            }
            if (next != ',') {
                return UNREAD;
            }
            at = JsonBytes.skipWhitespace(buf, at + 1, end);
        }
    }

    /** The member whose name starts at {@code at}: the index just past its value, {@link #UNREAD} or {@link #STOP}. */
    private static int memberEnd(ByteBuf buf, long address, int at, int end, int depth, Members members) {
        if (at >= end || ByteAccess.byteAt(buf, address, at) != '"') {
            return UNREAD;
        }
        int nameEnd = stringEnd(buf, address, at, end);
        if (nameEnd == UNREAD || hasEscape(buf, address, at, nameEnd)) {
            return UNREAD; // an escaped name is read by the parser, which unescapes it before it compares
        }
        int colon = JsonBytes.skipWhitespace(buf, nameEnd, end);
        if (colon >= end || ByteAccess.byteAt(buf, address, colon) != ':') {
            return UNREAD;
        }
        int value = JsonBytes.skipWhitespace(buf, colon + 1, end);
        return members == null ? valueEnd(buf, address, value, end, depth)
                : members.member(buf, at, nameEnd, value, end);
    }

    private static int stringEnd(ByteBuf buf, long address, int open, int end) {
        end = Math.min(end, open + MAX_STRING_BYTES);
        for (int at = open + 1; at < end; ) {
            byte b = ByteAccess.byteAt(buf, address, at);
            if (b == '"') {
                return at + 1;
            }
            if (b < 0x20) { // a control character, or (negative) a byte of a non-ASCII character
                return UNREAD;
            }
            if (b != '\\') {
                at++;
            } else if (at + 1 < end && isSimpleEscape(ByteAccess.byteAt(buf, address, at + 1))) {
                at += 2;
            } else if (at + 5 < end && ByteAccess.byteAt(buf, address, at + 1) == 'u'
                    && isHex(buf, address, at + 2, at + 6)) {
                at += 6;
            } else {
                return UNREAD;
            }
        }
        return UNREAD;
    }

    private static boolean hasEscape(ByteBuf buf, long address, int from, int to) {
        for (int i = from; i < to; i++) {
            if (ByteAccess.byteAt(buf, address, i) == '\\') {
                return true;
            }
        }
        return false;
    }

    private static boolean isSimpleEscape(byte b) {
        return b == '"' || b == '\\' || b == '/' || b == 'b' || b == 'f' || b == 'n' || b == 'r' || b == 't';
    }

    private static boolean isHex(ByteBuf buf, long address, int from, int to) {
        for (int i = from; i < to; i++) {
            byte b = ByteAccess.byteAt(buf, address, i);
            if (!(b >= '0' && b <= '9' || b >= 'a' && b <= 'f' || b >= 'A' && b <= 'F')) {
                return false;
            }
        }
        return true;
    }

    private static int literalEnd(ByteBuf buf, long address, int at, int end, byte[] literal) {
        int after = at + literal.length;
        return JsonBytes.spells(buf, at, end, literal) && endsScalar(buf, address, after, end) ? after : UNREAD;
    }

    /** {@code -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?}, as JSON (and Jackson by default) has it. */
    private static int numberEnd(ByteBuf buf, long address, int at, int end) {
        int digits = at < end && ByteAccess.byteAt(buf, address, at) == '-' ? at + 1 : at;
        int after = digitsEnd(buf, address, digits, end);
        if (after == digits || after - digits > 1 && ByteAccess.byteAt(buf, address, digits) == '0') {
            return UNREAD;
        }
        if (after < end && ByteAccess.byteAt(buf, address, after) == '.') {
            int fraction = digitsEnd(buf, address, after + 1, end);
            if (fraction == after + 1) {
                return UNREAD;
            }
            after = fraction;
        }
        if (after < end && (ByteAccess.byteAt(buf, address, after) | 0x20) == 'e') {
            int sign = after + 1 < end && (ByteAccess.byteAt(buf, address, after + 1) == '+'
                    || ByteAccess.byteAt(buf, address, after + 1) == '-') ? after + 2 : after + 1;
            int exponent = digitsEnd(buf, address, sign, end);
            if (exponent == sign) {
                return UNREAD;
            }
            after = exponent;
        }
        return after - at <= MAX_NUMBER_BYTES && endsScalar(buf, address, after, end) ? after : UNREAD;
    }

    private static int digitsEnd(ByteBuf buf, long address, int at, int end) {
        while (at < end) {
            byte b = ByteAccess.byteAt(buf, address, at);
            if (b < '0' || b > '9') {
                break;
            }
            at++;
        }
        return at;
    }

    /** A scalar ends at whitespace or a delimiter: {@code truex} or {@code 12a} is one malformed token to Jackson. */
    private static boolean endsScalar(ByteBuf buf, long address, int at, int end) {
        if (at >= end) {
            return false;
        }
        byte b = ByteAccess.byteAt(buf, address, at);
        return b == ',' || b == '}' || b == ']' || JsonBytes.isWhitespace(b);
    }
}
