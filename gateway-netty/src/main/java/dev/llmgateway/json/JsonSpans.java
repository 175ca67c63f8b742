package dev.llmgateway.json;

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
        if (buf.hasArray()) {
            try (JsonParser p = Json.FACTORY.createParser(buf.array(), buf.arrayOffset() + index, length)) {
                return find(p, null, null, path, index);
            }
        }
        // Direct or composite: feed the memory as it is, one NIO view per component.
        ByteBuffer[] parts = buf.nioBuffers(index, length);
        try (JsonParser p = Json.FACTORY.createNonBlockingByteBufferParser()) {
            return find(p, (ByteBufferFeeder) p.getNonBlockingInputFeeder(), parts, path, index);
        }
    }

    public static int start(long span) {
        return (int) (span >>> 32);
    }

    public static int end(long span) {
        return (int) span;
    }

    /**
     * Walks the top-level object down {@code path}. Nested values are skipped by depth counting rather than
     * skipChildren(), which cannot feed the non-blocking parser its next part and would spin on NOT_AVAILABLE.
     */
    private static long find(JsonParser p, ByteBufferFeeder feeder, ByteBuffer[] parts, SerializedString[] path,
            int base) throws IOException {
        int fed = 0;
        int depth = 0;
        int matched = 0; // path names matched so far: the search is inside the object at depth matched + 1
        boolean valueNext = false;
        boolean descendNext = false;
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
            if (t == null || depth == 0 && t != JsonToken.START_OBJECT) {
                return -1;
            }
            if (valueNext) {
                return t == JsonToken.VALUE_STRING ? span(p, feeder != null, base) : -1;
            }
            if (descendNext) {
                descendNext = false;
                if (t == JsonToken.START_OBJECT) {
                    depth++;
                    matched++;
                    continue;
                }
            }
            if (t.isStructStart()) {
                depth++;
            } else if (t.isStructEnd() && --depth < matched + 1) {
                return -1;
            } else if (t == JsonToken.FIELD_NAME && depth == matched + 1
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
