package dev.llmgateway.dialect;

import dev.llmgateway.sse.SseEvent;
import dev.llmgateway.sse.SseEventHandler;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.io.IOException;

/**
 * Hands each framed event of a provider's stream to its {@link AnswerDecoder}: the data of an event (several
 * {@code data:} lines joined with LF, per the SSE rules), or OpenAI's {@code [DONE]}. Comments, keep-alives and
 * events without data are skipped. The first malformed event stops the decoding; {@link #malformed()} says why.
 * Ownership: every event's content is released here.
 */
public final class SseAnswerReader implements SseEventHandler {
    private final AnswerDecoder decoder;
    private String malformed;

    public SseAnswerReader(AnswerDecoder decoder) {
        this.decoder = decoder;
    }

    @Override
    public void onEvent(SseEvent event) {
        ByteBuf content = event.content();
        try {
            if (malformed != null || !event.hasData()) {
                return;
            }
            if (event.isDone()) {
                decoder.streamDone();
            } else if (event.dataLineCount() == 1) {
                decoder.streamData(content, event.dataOffset(), event.dataLength());
            } else {
                ByteBuf joined = joinedData(content);
                try {
                    decoder.streamData(joined, joined.readerIndex(), joined.readableBytes());
                } finally {
                    joined.release();
                }
            }
        } catch (IOException e) {
            malformed = "malformed event: " + e.getMessage();
        } finally {
            content.release();
        }
    }

    /** Why decoding stopped, or null while every event was good. */
    public String malformed() {
        return malformed;
    }

    /** The values of every {@code data} line, joined with LF; providers rarely split an event's data like this. */
    private static ByteBuf joinedData(ByteBuf event) {
        ByteBuf joined = Unpooled.buffer(event.readableBytes());
        int end = event.writerIndex();
        int line = event.readerIndex();
        boolean first = true;
        while (line < end) {
            int eol = line;
            while (eol < end && event.getByte(eol) != '\n' && event.getByte(eol) != '\r') {
                eol++;
            }
            if (eol - line >= 5 && event.getByte(line) == 'd' && event.getByte(line + 1) == 'a'
                    && event.getByte(line + 2) == 't' && event.getByte(line + 3) == 'a'
                    && event.getByte(line + 4) == ':') {
                int value = line + 5 < eol && event.getByte(line + 5) == ' ' ? line + 6 : line + 5;
                if (!first) {
                    joined.writeByte('\n');
                }
                joined.writeBytes(event, value, eol - value);
                first = false;
            }
            line = eol + 1;
        }
        return joined;
    }
}
