package dev.llmgateway.dialect;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.llmgateway.json.Json;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/**
 * The one body a {@link BodyEncoder} writes when its answer ends, held until {@link #take} hands it on (the taker
 * owns it then) or {@link #discard} frees it. Every client dialect's body encoder keeps its body in one.
 */
public final class EncodedBody {
    /** Writes a whole JSON body. */
    @FunctionalInterface
    public interface Writer {
        void write(JsonGenerator json) throws IOException;
    }

    private ByteBuf body;

    /** Writes the body with {@code writer} into a buffer of about {@code sizeHint} bytes, which grows as needed. */
    public void write(ByteBufAllocator alloc, int sizeHint, Writer writer) {
        ByteBuf buf = alloc.buffer(sizeHint);
        try (JsonGenerator g = Json.FACTORY.createGenerator((OutputStream) new ByteBufOutputStream(buf))) {
            writer.write(g);
        } catch (IOException e) {
            buf.release();
            throw new UncheckedIOException(e);
        }
        discard();
        body = buf;
    }

    /** The body, which the caller owns from now on; null before {@link #write}. */
    public ByteBuf take() {
        ByteBuf taken = body;
        body = null;
        return taken;
    }

    public void discard() {
        if (body != null) {
            body.release();
            body = null;
        }
    }
}
