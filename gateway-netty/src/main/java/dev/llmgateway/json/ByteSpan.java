package dev.llmgateway.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import io.netty.buffer.ByteBuf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * A range of bytes of a request being translated, borrowed, never copied: a JSON value to copy into the output
 * ({@link #copyJson}), or the raw, still-escaped contents of a JSON string such as an image's base64 data
 * ({@link #writeAsString}). Valid as long as the request body it points into.
 */
public record ByteSpan(byte[] bytes, int offset, int length) {
    /** A buffer's readable bytes: its own array when it has one (no copy), else a copy (a direct buffer). */
    public static ByteSpan readable(ByteBuf body) {
        int length = body.readableBytes();
        if (body.hasArray()) {
            return new ByteSpan(body.array(), body.arrayOffset() + body.readerIndex(), length);
        }
        byte[] bytes = new byte[length];
        body.getBytes(body.readerIndex(), bytes);
        return new ByteSpan(bytes, 0, length);
    }

    /** Writes the JSON value these bytes hold as the generator's next value, re-encoded token by token. */
    public void copyJson(JsonGenerator out) throws IOException {
        try (JsonParser in = Json.FACTORY.createParser(bytes, offset, length)) {
            in.nextToken();
            out.copyCurrentStructure(in);
        }
    }

    /** Writes these bytes, a JSON string's escaped contents, as the next string value (a byte generator only). */
    public void writeAsString(JsonGenerator out) throws IOException {
        out.writeRawUTF8String(bytes, offset, length);
    }

    /** The bytes as text (for JSON string contents: still escaped). */
    public String utf8() {
        return new String(bytes, offset, length, StandardCharsets.UTF_8);
    }
}
