package dev.llmgateway.json;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.async.ByteBufferFeeder;
import com.fasterxml.jackson.core.io.SerializedString;
import io.netty.buffer.ByteBuf;

import java.io.IOException;
import java.nio.ByteBuffer;

/** Locates member values in JSON bytes without copying or decoding the whole document. */
public final class JsonSpans {
    private JsonSpans() {
    }

    /**
     * Finds the top-level member {@code field} whose value is a JSON string, in {@code buf}'s bytes
     * {@code [index, index + length)}. Parsing stops at that member.
     *
     * @return the absolute buffer indexes of the value token including its quotes, packed as
     *         {@code (start << 32) | end} (end exclusive); -1 when the member is absent or not a string
     * @throws IOException (typically {@link com.fasterxml.jackson.core.JsonParseException}) on malformed JSON
     *         before the member
     */
    public static long findTopLevelString(ByteBuf buf, int index, int length, SerializedString field)
            throws IOException {
        return findString(buf, index, length, field);
    }

    /**
     * Like {@link #findTopLevelString}, for the string at a path of member names from the top-level object, such as
     * {@code message.model} in Anthropic's {@code message_start} event.
     */
    public static long findString(ByteBuf buf, int index, int length, SerializedString... path) throws IOException {
        return findString(buf, index, length, false, path);
    }

    /**
     * Like {@link #findString}, and reads the rest of the document too, so that anything malformed in it (invalid
     * UTF-8 included), a top-level value that is not an object, or bytes after the object, throws: for a document
     * that is parsed anyway, validating it whole costs the rest of one pass.
     */
    public static long findStringInValid(ByteBuf buf, int index, int length, SerializedString... path)
            throws IOException {
        return findString(buf, index, length, true, path);
    }

    private static long findString(ByteBuf buf, int index, int length, boolean whole, SerializedString[] path)
            throws IOException {
        if (!whole && path.length == 1) {
            FirstString first = new FirstString(path[0].asQuotedUTF8());
            int walked = JsonTokens.walkObject(buf, JsonBytes.skipWhitespace(buf, index, index + length),
                    index + length, first);
            if (walked != JsonTokens.UNREAD) {
                return first.found;
            }
        }
        if (buf.hasArray()) {
            try (JsonParser p = Json.FACTORY.createParser(buf.array(), buf.arrayOffset() + index, length)) {
                return find(p, null, null, path, index, whole);
            }
        }
        // Direct or composite: feed the memory as it is, one NIO view per component.
        ByteBuffer[] parts = buf.nioBuffers(index, length);
        try (JsonParser p = Json.FACTORY.createNonBlockingByteBufferParser()) {
            return find(p, (ByteBufferFeeder) p.getNonBlockingInputFeeder(), parts, path, index, whole);
        }
    }

    /**
     * A top-level member found from the bytes ({@link JsonTokens}), without a parser: what Jackson would find for
     * a document the walk reads, up to the member (a string value is read whole, any other value to its first token).
     */
    private static final class FirstString implements JsonTokens.Members {
        private final byte[] name;
        long found = -1;

        FirstString(byte[] name) {
            this.name = name;
        }

        @Override
        public int member(ByteBuf buf, int nameStart, int nameEnd, int value, int end) {
            if (nameEnd - nameStart != name.length + 2 || !JsonBytes.spells(buf, nameStart + 1, nameEnd, name)) {
                return JsonTokens.valueEnd(buf, value, end);
            }
            byte first = value < end ? JsonTokens.byteAt(buf, value) : 0;
            if (first == '"') {
                int stringEnd = JsonTokens.stringEnd(buf, value, end);
                found = stringEnd == JsonTokens.UNREAD ? -1 : (long) value << 32 | stringEnd;
                return stringEnd == JsonTokens.UNREAD ? JsonTokens.UNREAD : JsonTokens.STOP;
            }
            return first == '{' || first == '[' || JsonTokens.valueEnd(buf, value, end) != JsonTokens.UNREAD
                    ? JsonTokens.STOP : JsonTokens.UNREAD;
        }
    }

    public static int start(long span) {
        return (int) (span >>> 32);
    }

    public static int end(long span) {
        return (int) span;
    }

    /**
     * Walks the top-level object down {@code path}; with {@code whole}, on to the end of the input. Nested values
     * are skipped by depth counting rather than skipChildren(), which cannot feed the non-blocking parser its next
     * part and would spin on NOT_AVAILABLE.
     */
    private static long find(JsonParser p, ByteBufferFeeder feeder, ByteBuffer[] parts, SerializedString[] path,
            int base, boolean whole) throws IOException {
        int fed = 0;
        int depth = 0;
        int matched = 0; // path names matched so far: the search is inside the object at depth matched + 1
        boolean searching = true;
        boolean valueNext = false;
        boolean descendNext = false;
        boolean closed = false;
        long found = -1;
        for (;;) {
            JsonToken t = p.nextToken();
            if (t == JsonToken.NOT_AVAILABLE) {
                if (fed < parts.length) {
                    feeder.feedInput(parts[fed++]);
                } else {
                    feeder.endOfInput();
                }
                continue;
            }
            if (t == null) {
                return found; // the parser has thrown if the input ended inside the object
            }
            if (depth == 0 && (closed || t != JsonToken.START_OBJECT)) {
                if (!whole) {
                    return -1;
                }
                throw new JsonParseException(p, closed ? "bytes after the object" : "not an object");
            }
            if (searching && valueNext) {
                searching = false;
                found = t == JsonToken.VALUE_STRING ? span(p, feeder != null, base) : -1;
                if (!whole) {
                    return found;
                }
            } else if (searching && descendNext) {
                descendNext = false;
                if (t == JsonToken.START_OBJECT) {
                    depth++;
                    matched++;
                    continue;
                }
            }
            if (t.isStructStart()) {
                depth++;
            } else if (t.isStructEnd()) {
                closed = --depth == 0;
                if (searching && depth < matched + 1) {
                    searching = false;
                    if (!whole) {
                        return -1;
                    }
                }
            } else if (searching && t == JsonToken.FIELD_NAME && depth == matched + 1
                    // Names are canonicalized by the factory's symbol table: currentName() allocates nothing.
                    && path[matched].getValue().equals(p.currentName())) {
                valueNext = matched + 1 == path.length;
                descendNext = !valueNext;
            }
        }
    }

    private static long span(JsonParser p, boolean nonBlocking, int base) throws IOException {
        // The non-blocking parser (2.20) places a string token just past its opening quote; tests pin this.
        long start = p.currentTokenLocation().getByteOffset() - (nonBlocking ? 1 : 0);
        // The blocking parser reads string values lazily; finish this one so the location is past its quote.
        p.finishToken();
        long end = p.currentLocation().getByteOffset();
        return (base + start) << 32 | (base + end);
    }
}
