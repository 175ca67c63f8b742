package dev.llmgateway.tracing;

import io.netty.util.AsciiString;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/**
 * W3C trace context ids: random ones from the thread's own generator, the {@code traceparent} header read and
 * written (version 00: {@code 00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>}), ids as lower-case hex.
 * A header that is not valid is ignored, as the W3C propagator does: a trace id or span id of zeros, upper-case
 * or non-hex digits, version {@code ff}, a version-00 header of another length, or a later version whose extra
 * part does not start with {@code -}.
 */
final class TraceIds {
    private static final int TRACEPARENT_LENGTH = 55;
    private static final int TRACE_ID_AT = 3;
    private static final int SPAN_ID_AT = 36;
    private static final int FLAGS_AT = 53;
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private TraceIds() {
    }

    /** A random id, never 0 (an invalid id). */
    static long random() {
        long id;
        do {
            id = ThreadLocalRandom.current().nextLong();
        } while (id == 0);
        return id;
    }

    /** Whether {@code header} is a {@code traceparent} the gateway continues. */
    static boolean valid(String header) {
        if (header == null || header.length() < TRACEPARENT_LENGTH) {
            return false;
        }
        if (!isHex(header, 0, 2) || header.startsWith("ff") || header.charAt(2) != '-'
                || header.charAt(TRACE_ID_AT + 32) != '-' || header.charAt(SPAN_ID_AT + 16) != '-'
                || !isHex(header, TRACE_ID_AT, 32) || !isHex(header, SPAN_ID_AT, 16) || !isHex(header, FLAGS_AT, 2)) {
            return false;
        }
        if (header.startsWith("00") ? header.length() != TRACEPARENT_LENGTH
                : header.length() > TRACEPARENT_LENGTH && header.charAt(TRACEPARENT_LENGTH) != '-') {
            return false;
        }
        return (traceIdHigh(header) | traceIdLow(header)) != 0 && parentSpanId(header) != 0;
    }

    static long traceIdHigh(String traceparent) {
        return hexLong(traceparent, TRACE_ID_AT);
    }

    static long traceIdLow(String traceparent) {
        return hexLong(traceparent, TRACE_ID_AT + 16);
    }

    static long parentSpanId(String traceparent) {
        return hexLong(traceparent, SPAN_ID_AT);
    }

    static boolean sampled(String traceparent) {
        return (Character.digit(traceparent.charAt(FLAGS_AT + 1), 16) & 1) == 1;
    }

    /**
     * {@code 00-<trace id>-<span id>-<01 or 00>}, as ASCII bytes wrapped without a copy: a header value Netty
     * checks and writes by the byte.
     */
    static AsciiString traceparent(long traceIdHigh, long traceIdLow, long spanId, boolean sampled) {
        byte[] bytes = new byte[TRACEPARENT_LENGTH];
        bytes[0] = '0';
        bytes[1] = '0';
        bytes[2] = '-';
        hex(traceIdHigh, bytes, TRACE_ID_AT);
        hex(traceIdLow, bytes, TRACE_ID_AT + 16);
        bytes[TRACE_ID_AT + 32] = '-';
        hex(spanId, bytes, SPAN_ID_AT);
        bytes[SPAN_ID_AT + 16] = '-';
        bytes[FLAGS_AT] = '0';
        bytes[FLAGS_AT + 1] = (byte) (sampled ? '1' : '0');
        return new AsciiString(bytes, false);
    }

    /** The trace id as 32 lower-case hex digits. */
    static String traceId(long high, long low) {
        byte[] bytes = new byte[32];
        hex(high, bytes, 0);
        hex(low, bytes, 16);
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    private static void hex(long value, byte[] into, int at) {
        for (int i = 15; i >= 0; i--) {
            into[at + i] = HEX[(int) (value & 0xF)];
            value >>>= 4;
        }
    }

    private static long hexLong(String text, int at) {
        long value = 0;
        for (int i = at; i < at + 16; i++) {
            value = (value << 4) | Character.digit(text.charAt(i), 16);
        }
        return value;
    }

    /** Lower-case hex digits only, as W3C requires. */
    private static boolean isHex(String text, int at, int count) {
        for (int i = at; i < at + count; i++) {
            char c = text.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }
}
