package dev.llmgateway.dialect.anthropic;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.llmgateway.dialect.Untranslatable;
import dev.llmgateway.json.ByteSpan;
import dev.llmgateway.json.Json;

import java.io.IOException;

import static dev.llmgateway.dialect.anthropic.AnthropicRequestValues.expect;
import static dev.llmgateway.dialect.anthropic.AnthropicRequestValues.string;

/**
 * The bytes of the request body being read (the body's heap array, or one copy of a direct body), parsers over
 * parts of them, and spans into them for values passed on without decoding. Borrows the array; holds no buffer.
 */
final class AnthropicBodyBytes {
    private final byte[] bytes;

    AnthropicBodyBytes(byte[] bytes) {
        this.bytes = bytes;
    }

    JsonParser parser(ByteSpan span) throws IOException {
        return parser(span.offset(), span.length());
    }

    JsonParser parser(int offset, int length) throws IOException {
        return Json.FACTORY.createParser(bytes, offset, length);
    }

    /**
     * The bytes of the array or object the parser is at, which it skips; {@code offset} is where the parser's
     * input starts in {@link #bytes} (its locations count from there).
     */
    ByteSpan structure(JsonParser p, int offset, JsonToken expected, String path)
            throws IOException, Untranslatable {
        expect(p, expected, path);
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
    ByteSpan stringContents(JsonParser p, int offset) {
        int start = offset + (int) p.currentTokenLocation().getByteOffset() + 1;
        int end = start;
        while (bytes[end] != '"') {
            end += bytes[end] == '\\' ? 2 : 1;
        }
        return new ByteSpan(bytes, start, end - start);
    }

    /** Reads each element of the array {@code span} holds; each must be an object, the parser at its start. */
    void forEachObject(ByteSpan span, String path, ObjectReader reader) throws IOException, Untranslatable {
        try (JsonParser p = parser(span)) {
            p.nextToken();
            for (int i = 0; p.nextToken() != JsonToken.END_ARRAY; i++) {
                String at = path + "." + i;
                expect(p, JsonToken.START_OBJECT, at);
                reader.read(p, at);
            }
        }
    }

    @FunctionalInterface
    interface ObjectReader {
        void read(JsonParser p, String path) throws IOException, Untranslatable;
    }
}
