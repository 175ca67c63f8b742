package dev.llmgateway.dialect;

import io.netty.buffer.ByteBuf;

import java.io.IOException;

/**
 * Reads one provider answer, in the provider's dialect, as {@link AnswerEvents} given at construction: a stream
 * event by event as the events arrive, or a whole non-stream body. The bytes passed in stay the caller's.
 * Confined to the exchange's thread.
 */
public interface AnswerDecoder {
    /** One stream event's data: one JSON document. @throws IOException when it is not the JSON expected */
    void streamData(ByteBuf data, int index, int length) throws IOException;

    /** OpenAI's end-of-stream marker {@code [DONE]}. */
    void streamDone();

    /**
     * The provider's stream is over. True when it ended the answer (end or error was emitted), false when it was
     * cut short: then the caller reports the failure.
     */
    boolean streamEnded();

    /** A whole non-stream body. @throws IOException when it is not the JSON expected */
    void body(ByteBuf data, int index, int length) throws IOException;
}
