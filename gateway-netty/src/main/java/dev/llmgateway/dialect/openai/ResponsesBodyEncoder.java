package dev.llmgateway.dialect.openai;

import dev.llmgateway.dialect.BodyEncoder;
import dev.llmgateway.dialect.EncodedBody;
import io.netty.buffer.ByteBufAllocator;

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
    private final EncodedBody body = new EncodedBody();

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
        body.write(alloc, 512, g -> writeResponse(g, status(), null));
    }

    @Override
    public EncodedBody encodedBody() {
        return body;
    }
}
