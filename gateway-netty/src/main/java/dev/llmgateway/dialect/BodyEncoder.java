package dev.llmgateway.dialect;

import io.netty.buffer.ByteBuf;

/**
 * Writes a whole answer as one non-stream body in the client's dialect, kept in an {@link EncodedBody} until the
 * caller takes it. An error leaves no body (the caller answers with the error).
 */
public interface BodyEncoder extends AnswerEvents {
    /** Where the body is held from {@link #end()} until {@link #body()} hands it on. */
    EncodedBody encodedBody();

    /** The body, once {@link #end()} was called; the caller owns it. Null before that. */
    default ByteBuf body() {
        return encodedBody().take();
    }

    /** Frees what is held when the answer is abandoned before its end. */
    default void discard() {
        encodedBody().discard();
    }

    @Override
    default void error(ApiError error) {
        discard();
    }
}
