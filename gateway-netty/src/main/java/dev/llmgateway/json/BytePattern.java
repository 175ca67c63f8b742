package dev.llmgateway.json;

import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;

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
     * from several reads) is read through its own accessors, so an occurrence across two reads is found too.
     */
    public int lastIndexIn(ByteBuf buf, int from, int to) {
        int lowest = from + anchorOffset;
        int at = to - needle.length + anchorOffset; // the last place the anchor can be
        while (at >= lowest) {
            if (at - 7 >= lowest) {
                long word = buf.getLongLE(at - 7) ^ anchors;
                if (((word - ONES) & ~word & HIGHS) == 0) {
                    at -= 8; // no anchor byte among these eight
                    continue;
                }
                for (int stop = at - 8; at > stop; at--) {
                    if (buf.getByte(at) == anchor && matchesAt(buf, at - anchorOffset)) {
                        return at - anchorOffset;
                    }
                }
            } else {
                if (buf.getByte(at) == anchor && matchesAt(buf, at - anchorOffset)) {
                    return at - anchorOffset;
                }
                at--;
            }
        }
        return -1;
    }

    private boolean matchesAt(ByteBuf buf, int start) {
        for (int i = 0; i < needle.length; i++) {
            if (buf.getByte(start + i) != needle[i]) {
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
