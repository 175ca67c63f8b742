package dev.llmgateway.dialect;

import io.netty.buffer.ByteBuf;

/** Writes a whole answer as one non-stream body in the client's dialect. */
public interface BodyEncoder extends AnswerEvents {
    /** The body, once {@link #end()} was called; the caller owns it. Null before that. */
    ByteBuf body();

    /** Frees what is held when the answer is abandoned before its end. */
    void discard();
}
