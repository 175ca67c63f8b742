package dev.llmgateway.json;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Finds the last occurrence of an ASCII needle in buffer bytes without allocating, so the relay can ask "does this
 * event mention usage?" before it parses anything. It scans backwards from the end (the members it looks for,
 * {@code "usage"}, sit near the end of OpenAI bodies and events) eight bytes at a time for the needle's rarest
 * byte, and compares the whole needle only where that byte is: most events hold no such member, and a byte-by-byte
 * scan of every event was the stream path's largest own cost. Immutable, so one instance serves every thread.
 */
public final class BytePattern {
    /** Bytes ordered from most to least common in JSON text: the anchor is the needle's byte furthest along. */
    private static final String COMMONNESS = "\" :,{}etaoinsrhldcu0123456789mwfgypbvkjxqz_-.[]";
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;

    private final byte[] needle;
    /** Where in the needle the anchor byte is. */
    private final int anchorOffset;
    private final byte anchor;
    /** The anchor byte in every byte of a word, for the word-at-a-time test. */
    private final long anchors;

    public BytePattern(String ascii) {
        needle = ascii.getBytes(StandardCharsets.US_ASCII);
        int best = 0;
        for (int i = 1; i < needle.length; i++) {
            if (rarity(needle[i]) > rarity(needle[best])) {
                best = i;
            }
        }
        anchorOffset = best;
        anchor = needle[best];
        anchors = (anchor & 0xFFL) * ONES;
    }

    public int length() {
        return needle.length;
    }

    /**
     * Absolute index where the last occurrence in {@code [from, to)} starts, or -1. A composite (an event gathered
     * from several reads) is scanned part by part, and an occurrence across two parts is found too.
     */
    public int lastIndexIn(ByteBuf buf, int from, int to) {
        if (!(buf instanceof CompositeByteBuf composite) || composite.numComponents() < 2) {
            return scan(buf, buf, 0, from, to, from, to);
        }
        List<ByteBuf> parts = composite.decompose(from, to - from);
        int end = to;
        for (int i = parts.size() - 1; i >= 0; i--) {
            ByteBuf part = parts.get(i);
            int start = end - part.readableBytes();
            int found = scan(buf, part, start - part.readerIndex(), from, to, start, end);
            if (found >= 0) {
                return found;
            }
            end = start;
        }
        return -1;
    }

    /**
     * Scans {@code part} (its index {@code i} is {@code buf}'s {@code i + shift}) for anchors at {@code buf} indexes
     * in {@code [partStart, partEnd)}, backwards, and returns the start of the last whole occurrence in
     * {@code [from, to)}.
     */
    private int scan(ByteBuf buf, ByteBuf part, int shift, int from, int to, int partStart, int partEnd) {
        long address = ByteAccess.address(part);
        int lowest = Math.max(from + anchorOffset, partStart);
        int at = Math.min(to - needle.length + anchorOffset, partEnd - 1); // the last place the anchor can be
        while (at >= lowest) {
            if (at - 7 >= lowest) {
                long word = ByteAccess.longLE(part, address, at - 7 - shift) ^ anchors;
                if (((word - ONES) & ~word & HIGHS) == 0) {
                    at -= 8; // no anchor byte among these eight
                    continue;
                }
                for (int stop = at - 8; at > stop; at--) {
                    if (ByteAccess.byteAt(part, address, at - shift) == anchor && matchesAt(buf, at - anchorOffset)) {
                        return at - anchorOffset;
                    }
                }
            } else {
                if (ByteAccess.byteAt(part, address, at - shift) == anchor && matchesAt(buf, at - anchorOffset)) {
                    return at - anchorOffset;
                }
                at--;
            }
        }
        return -1;
    }

    /** Only where the rare anchor byte is: through {@code buf}'s accessors, across parts if need be. */
    private boolean matchesAt(ByteBuf buf, int start) {
        long address = ByteAccess.address(buf);
        for (int i = 0; i < needle.length; i++) {
            if (ByteAccess.byteAt(buf, address, start + i) != needle[i]) {
                return false;
            }
        }
        return true;
    }

    private static int rarity(byte b) {
        int at = COMMONNESS.indexOf(b);
        return at < 0 ? COMMONNESS.length() : at;
    }
}
