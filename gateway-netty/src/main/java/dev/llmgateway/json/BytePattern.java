package dev.llmgateway.json;

import io.netty.buffer.ByteBuf;
import io.netty.util.ByteProcessor;

import java.nio.charset.StandardCharsets;

/**
 * Finds an ASCII needle in buffer bytes with one {@code forEachByte} pass and no allocation, so the relay can ask
 * "does this event mention usage?" before it parses anything. Stateful: one instance per user, one thread.
 * The needle's first byte must not occur again inside it except as its last byte, which keeps the restart rule
 * after a mismatch trivial (true of {@code "usage"} and {@code ,"usage":null}).
 */
public final class BytePattern implements ByteProcessor {
    private final byte[] needle;
    private int matched;
    private int index;
    private int lastStart;

    public BytePattern(String ascii) {
        this.needle = ascii.getBytes(StandardCharsets.US_ASCII);
    }

    public int length() {
        return needle.length;
    }

    /** Absolute index where the last occurrence in {@code [from, to)} starts, or -1. */
    public int lastIndexIn(ByteBuf buf, int from, int to) {
        matched = 0;
        index = from;
        lastStart = -1;
        buf.forEachByte(from, to - from, this);
        return lastStart;
    }

    @Override
    public boolean process(byte value) {
        if (value == needle[matched]) {
            if (++matched == needle.length) {
                lastStart = index + 1 - needle.length;
                matched = 0;
            }
        } else {
            matched = value == needle[0] ? 1 : 0;
        }
        index++;
        return true;
    }
}
