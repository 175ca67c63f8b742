package dev.llmgateway.json;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.util.ByteProcessor;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Finds the last occurrence of an ASCII needle in buffer bytes without allocating, so the relay can ask "does this
 * event mention usage?" before it parses anything. It scans backwards from the end and stops at the first match:
 * the members it looks for ({@code "usage"}) sit near the end of OpenAI bodies and events. Matching is
 * Knuth–Morris–Pratt over the reversed needle. Stateful: one instance per user, one thread.
 */
public final class BytePattern implements ByteProcessor {
    private final byte[] reversed;
    private final int[] fallback;
    private int matched;

    public BytePattern(String ascii) {
        byte[] needle = ascii.getBytes(StandardCharsets.US_ASCII);
        reversed = new byte[needle.length];
        for (int i = 0; i < needle.length; i++) {
            reversed[i] = needle[needle.length - 1 - i];
        }
        fallback = failureTable(reversed);
    }

    public int length() {
        return reversed.length;
    }

    /** Absolute index where the last occurrence in {@code [from, to)} starts, or -1. */
    public int lastIndexIn(ByteBuf buf, int from, int to) {
        matched = 0;
        if (buf instanceof CompositeByteBuf composite) {
            return lastIndexInParts(composite, from, to);
        }
        // The scan stops on the needle's first byte, which is where the occurrence starts.
        return buf.forEachByteDesc(from, to - from, this);
    }

    /**
     * Netty 4.2.18's {@code CompositeByteBuf.forEachByteDesc} runs past the start of a component that is a slice,
     * into the bytes before it in the slice's parent (an event gathered from several reads is such a composite):
     * it finds needles that are not in the event. Each component is scanned on its own instead.
     */
    private int lastIndexInParts(CompositeByteBuf composite, int from, int to) {
        List<ByteBuf> parts = composite.decompose(from, to - from);
        int end = to;
        for (int i = parts.size() - 1; i >= 0; i--) {
            ByteBuf part = parts.get(i);
            int start = end - part.readableBytes();
            int found = part.forEachByteDesc(this);
            if (found >= 0) {
                return start + found - part.readerIndex();
            }
            end = start;
        }
        return -1;
    }

    /** Called from the last byte backwards; returns false (stop) once the whole needle has been seen. */
    @Override
    public boolean process(byte value) {
        while (matched > 0 && value != reversed[matched]) {
            matched = fallback[matched - 1];
        }
        if (value == reversed[matched]) {
            matched++;
        }
        return matched < reversed.length;
    }

    /** fallback[i]: the longest proper prefix of needle[0..i] that is also its suffix. */
    private static int[] failureTable(byte[] needle) {
        int[] table = new int[needle.length];
        int length = 0;
        for (int i = 1; i < needle.length; i++) {
            while (length > 0 && needle[i] != needle[length]) {
                length = table[length - 1];
            }
            if (needle[i] == needle[length]) {
                length++;
            }
            table[i] = length;
        }
        return table;
    }
}
