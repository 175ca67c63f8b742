package dev.llmgateway.json;

import com.fasterxml.jackson.core.io.SerializedString;
import io.netty.buffer.ByteBuf;

import java.io.IOException;

/**
 * {@link JsonSpans#findString} for a run of similar documents, such as one stream's events: it remembers the bytes
 * of the last document up to the end of the span it found, and a document that begins with exactly those bytes has
 * the member at the same place — found by one comparison, with no parser made. The events of one stream repeat
 * their id, object, created time and model before anything that changes, so after the first event the parse is
 * skipped; a document with other leading bytes is parsed, and read whole ({@link JsonSpans#findStringInValid}): the
 * documents it parses are validated at the cost of the rest of that one pass. Confined to one stream's thread.
 */
public final class RepeatingSpanFinder {
    /** Longer prefixes are not worth remembering: the member sits too deep for the shortcut to pay. */
    private static final int MAX_PREFIX_BYTES = 512;

    private final SerializedString[] path;
    private final byte[] prefix = new byte[MAX_PREFIX_BYTES];
    private int prefixLength;
    /** Where the span starts, relative to the document's first byte; -1 while nothing is remembered. */
    private int spanOffset = -1;

    public RepeatingSpanFinder(SerializedString... path) {
        this.path = path;
    }

    /**
     * As {@link JsonSpans#findStringInValid}: the span packed as {@code (start << 32) | end}, or -1; throws when the
     * document it parses is malformed (one that begins with the remembered bytes is not parsed).
     */
    public long find(ByteBuf buf, int index, int length) throws IOException {
        if (spanOffset >= 0 && length >= prefixLength && startsWithPrefix(buf, index)) {
            return (long) (index + spanOffset) << 32 | (index + prefixLength);
        }
        spanOffset = -1;
        long span = JsonSpans.findStringInValid(buf, index, length, path);
        if (span >= 0 && JsonSpans.end(span) - index <= MAX_PREFIX_BYTES) {
            prefixLength = JsonSpans.end(span) - index;
            buf.getBytes(index, prefix, 0, prefixLength);
            spanOffset = JsonSpans.start(span) - index;
        }
        return span;
    }

    private boolean startsWithPrefix(ByteBuf buf, int index) {
        long address = ByteAccess.address(buf);
        for (int i = 0; i < prefixLength; i++) {
            if (ByteAccess.byteAt(buf, address, index + i) != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
