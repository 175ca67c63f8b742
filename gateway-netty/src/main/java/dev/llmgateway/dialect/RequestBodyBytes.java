package dev.llmgateway.dialect;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.llmgateway.json.ByteSpan;
import dev.llmgateway.json.Json;

import java.io.IOException;

/**
 * The bytes of the request body a dialect's reader is reading (the body's heap array, or one copy of a direct
 * body), parsers over parts of them, and spans into them for values passed on without decoding. Borrows the array;
 * holds no buffer. The dialect's {@link Wording} says how a value of the wrong kind is refused and how an array's
 * element is named in errors.
 */
public final class RequestBodyBytes {
    /** Refuses the value the parser is at unless it starts {@code expected}, in the dialect's words. */
    @FunctionalInterface
    public interface Expectation {
        void expect(JsonParser p, JsonToken expected, String path) throws Untranslatable;
    }

    /**
     * A dialect's wording for the errors this class raises: how a value of the wrong kind is refused, and how an
     * array's element is named ({@code messages.0}: {@code "."} and {@code ""}; {@code contents[0]}: {@code "["} and
     * {@code "]"}).
     */
    public record Wording(Expectation expectation, String indexOpen, String indexClose) {
        String element(String arrayPath, int index) {
            return arrayPath + indexOpen + index + indexClose;
        }
    }

    @FunctionalInterface
    public interface ObjectReader {
        /** {@code base}: where the parser's input starts in the body's bytes (its locations count from there). */
        void read(JsonParser p, String path, int base) throws IOException, Untranslatable;
    }

    private final byte[] bytes;
    private final Wording wording;

    public RequestBodyBytes(byte[] bytes, Wording wording) {
        this.bytes = bytes;
        this.wording = wording;
    }

    public JsonParser parser(ByteSpan span) throws IOException {
        return parser(span.offset(), span.length());
    }

    public JsonParser parser(int offset, int length) throws IOException {
        return Json.FACTORY.createParser(bytes, offset, length);
    }

    /**
     * The bytes of the array or object the parser is at, which it skips; {@code offset} is where the parser's
     * input starts in the body's bytes.
     */
    public ByteSpan structure(JsonParser p, int offset, JsonToken expected, String path)
            throws IOException, Untranslatable {
        wording.expectation().expect(p, expected, path);
        int start = offset + (int) p.currentTokenLocation().getByteOffset();
        p.skipChildren();
        int end = offset + (int) p.currentLocation().getByteOffset();
        return new ByteSpan(bytes, start, end - start);
    }

    /**
     * The still-escaped contents of the string the parser is at, found by scanning for its closing quote, so
     * large base64 data is never decoded or copied. The scan is safe: the first pass already parsed (and so
     * checked) the whole body.
     */
    public ByteSpan stringContents(JsonParser p, int offset) {
        int start = offset + (int) p.currentTokenLocation().getByteOffset() + 1;
        int end = start;
        while (bytes[end] != '"') {
            end += bytes[end] == '\\' ? 2 : 1;
        }
        return new ByteSpan(bytes, start, end - start);
    }

    /** Reads each element of the array {@code span} holds; each must be an object, the parser at its start. */
    public void forEachObject(ByteSpan span, String path, ObjectReader reader) throws IOException, Untranslatable {
        try (JsonParser p = parser(span)) {
            p.nextToken();
            for (int i = 0; p.nextToken() != JsonToken.END_ARRAY; i++) {
                String at = wording.element(path, i);
                wording.expectation().expect(p, JsonToken.START_OBJECT, at);
                reader.read(p, at, span.offset());
            }
        }
    }
}
