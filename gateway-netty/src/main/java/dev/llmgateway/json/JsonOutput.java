package dev.llmgateway.json;

import com.fasterxml.jackson.core.JsonGenerator;
import io.netty.buffer.ByteBuf;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/**
 * One JSON generator reused for every document a translated stream writes, each into its own buffer: a stream
 * of a thousand events costs one generator, not a thousand. Confined to the stream's thread.
 */
public final class JsonOutput {
    private final Target target = new Target();
    private final JsonGenerator generator;

    public JsonOutput() {
        try {
            generator = Json.FACTORY.createGenerator(target);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // Documents follow one another in separate buffers: no separator between root values.
        generator.setRootValueSeparator(null);
    }

    /** The generator, now writing at the end of {@code buf}; call {@link #end()} before touching {@code buf}. */
    public JsonGenerator start(ByteBuf buf) {
        target.buf = buf;
        return generator;
    }

    /** Flushes what the generator holds into the buffer given to {@link #start}. */
    public void end() {
        try {
            generator.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            target.buf = null;
        }
    }

    private static final class Target extends OutputStream {
        ByteBuf buf;

        @Override
        public void write(int b) {
            buf.writeByte(b);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) {
            buf.writeBytes(bytes, offset, length);
        }
    }
}
