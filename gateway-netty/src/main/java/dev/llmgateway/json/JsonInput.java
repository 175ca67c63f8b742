package dev.llmgateway.json;

import com.fasterxml.jackson.core.JsonParser;
import io.netty.buffer.ByteBuf;

import java.io.IOException;

/**
 * Parsers over buffer ranges for a translated stream. Provider reads land in direct buffers, which Jackson's
 * blocking parser cannot read; each event's bytes are copied into one scratch array, reused and grown as needed,
 * so parsing an event allocates no byte array. Confined to the stream's thread.
 */
public final class JsonInput {
    private byte[] scratch = new byte[1024];

    /** A parser over {@code buf[index, index + length)}; close it before the next call. */
    public JsonParser parser(ByteBuf buf, int index, int length) throws IOException {
        if (buf.hasArray()) {
            return Json.FACTORY.createParser(buf.array(), buf.arrayOffset() + index, length);
        }
        if (scratch.length < length) {
            scratch = new byte[Math.max(length, scratch.length * 2)];
        }
        buf.getBytes(index, scratch, 0, length);
        return Json.FACTORY.createParser(scratch, 0, length);
    }
}
