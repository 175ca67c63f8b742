package dev.llmgateway.dialect.openai;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.llmgateway.dialect.ApiError;
import dev.llmgateway.dialect.BodyEncoder;
import dev.llmgateway.json.Json;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Set;

/**
 * Writes an answer as the Responses API's non-stream body (the {@code response} object: {@code completed}, or
 * {@code incomplete} when the token limit cut it) for a Responses client whose provider speaks another API. The
 * output items are gathered as they come ({@link ResponsesAnswer}) and written at {@link #end()}. Ownership:
 * {@link #body()} hands the body to the caller; until then, {@link #discard()} frees it. An error is not this
 * encoder's to write: the caller answers with an error response instead. Confined to the exchange's thread.
 */
public final class ResponsesBodyEncoder extends ResponsesAnswer implements BodyEncoder {
    private final ByteBufAllocator alloc;
    private ByteBuf body;

    /** As {@link ResponsesEventEncoder}'s. */
    public ResponsesBodyEncoder(ByteBufAllocator alloc, String model, String requestId, Set<String> customTools) {
        super(model, requestId, customTools);
        this.alloc = alloc;
    }

    @Override
    public void start(String id) {
        // the response's id and creation time are the gateway's, pinned when the answer began
    }

    @Override
    void opened(Item item) {
        // nothing is written before the end
    }

    @Override
    void grew(Item item, char[] chars, int offset, int length) {
        // the item holds its text
    }

    @Override
    void closed(Item item) {
        // written with the whole response
    }

    @Override
    public void end() {
        closeAll();
        ByteBuf buf = alloc.buffer(512);
        try (JsonGenerator g = Json.FACTORY.createGenerator((OutputStream) new ByteBufOutputStream(buf))) {
            writeResponse(g, status(), null);
        } catch (IOException e) {
            buf.release();
            throw new UncheckedIOException(e);
        }
        body = buf;
    }

    @Override
    public void error(ApiError error) {
        discard();
    }

    @Override
    public ByteBuf body() {
        ByteBuf taken = body;
        body = null;
        return taken;
    }

    @Override
    public void discard() {
        if (body != null) {
            body.release();
            body = null;
        }
    }
}
