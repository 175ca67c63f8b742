package dev.llmgateway.tracing;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Encodes a batch of finished spans as one OTLP {@code ExportTraceServiceRequest} (opentelemetry-proto's
 * {@code collector/trace/v1}): one {@code ResourceSpans} (the gateway's resource, encoded once), one
 * {@code ScopeSpans} (scope {@code dev.llmgateway}) and a {@code Span} per record, with its ids, parent, trace
 * state, name, kind, times, {@code KeyValue}/{@code AnyValue} attributes, status and flags, straight into one
 * reused byte array. Spans write their own attributes through {@link #string} and its siblings. The export thread's
 * only; the bytes stay valid until the next batch.
 */
final class OtlpEncoder {
    static final int KEY_VALUE_KEY = 1;
    private static final int KEY_VALUE_VALUE = 2;

    // ExportTraceServiceRequest, ResourceSpans, Resource, ScopeSpans, InstrumentationScope.
    private static final int REQUEST_RESOURCE_SPANS = 1;
    private static final int RESOURCE_SPANS_RESOURCE = 1;
    private static final int RESOURCE_SPANS_SCOPE_SPANS = 2;
    private static final int RESOURCE_ATTRIBUTES = 1;
    private static final int SCOPE_SPANS_SCOPE = 1;
    private static final int SCOPE_SPANS_SPANS = 2;
    private static final int SCOPE_NAME = 1;

    // Span.
    private static final int SPAN_TRACE_ID = 1;
    private static final int SPAN_SPAN_ID = 2;
    private static final int SPAN_TRACE_STATE = 3;
    private static final int SPAN_PARENT_SPAN_ID = 4;
    private static final int SPAN_NAME = 5;
    private static final int SPAN_KIND = 6;
    private static final int SPAN_START = 7;
    private static final int SPAN_END = 8;
    private static final int SPAN_ATTRIBUTES = 9;
    private static final int SPAN_STATUS = 15;
    private static final int SPAN_FLAGS = 16;
    private static final int STATUS_CODE = 3;
    private static final int STATUS_CODE_ERROR = 2;
    /** {@code SpanFlags}: the W3C flags in the low byte; whether the parent is remote is known, and if it is. */
    private static final int FLAGS_SAMPLED = 0x01;
    private static final int FLAGS_HAS_IS_REMOTE = 0x100;
    private static final int FLAGS_IS_REMOTE = 0x200;

    // AnyValue, ArrayValue.
    private static final int ANY_STRING = 1;
    private static final int ANY_BOOL = 2;
    private static final int ANY_INT = 3;
    private static final int ANY_DOUBLE = 4;
    private static final int ANY_ARRAY = 5;
    private static final int ARRAY_VALUES = 1;

    /** The scope: the gateway's instrumentation name. */
    static final String SCOPE = "dev.llmgateway";

    /** A batch of plain spans takes ~300 KB; one of captured prompts can take far more, and is not kept. */
    private static final int KEPT_BUFFER = 4 << 20;

    private final ProtoWriter out = new ProtoWriter(512 * 1024);
    /** {@code ResourceSpans.resource} and {@code ScopeSpans.scope}, the same in every export. */
    private final byte[] resource;
    private final byte[] scope;
    private final ContentRedaction redaction;
    /**
     * The last value of each repeating attribute ({@link AttributeName#slot}) in server spans (even indexes) and in
     * client spans (odd ones), and its whole encoded {@code KeyValue}: the same value is written again as bytes.
     */
    private String[] lastValues = new String[0];
    private byte[][] lastEncoded = new byte[0][];
    /** 0 while a server span is written, 1 for a client span: the index's low bit in {@link #lastValues}. */
    private int kindBit;

    /**
     * @param resource  the resource's attributes, in order
     * @param redaction applied to captured prompt and completion text; null when content is not captured
     */
    OtlpEncoder(Map<String, String> resource, ContentRedaction redaction) {
        this.redaction = redaction;
        ProtoWriter once = new ProtoWriter(1024);
        once.open(RESOURCE_SPANS_RESOURCE);
        resource.forEach((name, value) -> {
            once.open(RESOURCE_ATTRIBUTES);
            once.string(KEY_VALUE_KEY, name);
            once.open(KEY_VALUE_VALUE);
            once.string(ANY_STRING, value);
            once.close();
            once.close();
        });
        once.close();
        this.resource = Arrays.copyOf(once.array(), once.length());
        once.reset(Integer.MAX_VALUE);
        once.open(SCOPE_SPANS_SCOPE);
        once.string(SCOPE_NAME, SCOPE);
        once.close();
        this.scope = Arrays.copyOf(once.array(), once.length());
    }

    /** The request for {@code spans[0, count)}: {@link ProtoWriter#array()} up to its {@link ProtoWriter#length()}. */
    ProtoWriter encode(SpanRecord[] spans, int count) {
        out.reset(KEPT_BUFFER);
        out.open(REQUEST_RESOURCE_SPANS);
        out.raw(resource);
        out.open(RESOURCE_SPANS_SCOPE_SPANS);
        out.raw(scope);
        for (int i = 0; i < count; i++) {
            out.open(SCOPE_SPANS_SPANS);
            span(spans[i]);
            out.close();
        }
        out.close();
        out.close();
        return out;
    }

    private void span(SpanRecord span) {
        kindBit = span.kind() == SpanRecord.KIND_SERVER ? 0 : 1;
        out.id(SPAN_TRACE_ID, span.traceIdHigh, span.traceIdLow);
        out.id(SPAN_SPAN_ID, span.spanId);
        if (span.traceState != null) {
            out.string(SPAN_TRACE_STATE, span.traceState);
        }
        if (span.parentSpanId != 0) {
            out.id(SPAN_PARENT_SPAN_ID, span.parentSpanId);
        }
        out.open(SPAN_NAME);
        span.name(out);
        out.close();
        out.int64(SPAN_KIND, span.kind());
        out.fixed64(SPAN_START, span.startEpochNanos);
        out.fixed64(SPAN_END, span.endEpochNanos);
        span.attributes(this);
        if (span.error) {
            out.open(SPAN_STATUS);
            out.int64(STATUS_CODE, STATUS_CODE_ERROR);
            out.close();
        }
        out.fixed32(SPAN_FLAGS, FLAGS_SAMPLED | FLAGS_HAS_IS_REMOTE | (span.parentRemote ? FLAGS_IS_REMOTE : 0));
    }

    /** A string attribute; none when {@code value} is null. */
    void string(AttributeName name, String value) {
        if (value == null) {
            return;
        }
        int slot = name.slot() < 0 ? -1 : 2 * name.slot() + kindBit;
        if (slot >= 0 && slot < lastValues.length && value.equals(lastValues[slot])) {
            out.raw(lastEncoded[slot]);
            return;
        }
        int from = out.length();
        open(name);
        out.string(ANY_STRING, value);
        closeAttribute();
        if (slot >= 0) {
            remember(slot, value, from);
        }
    }

    /** Keeps the attribute just written from {@code from} on as the slot's last. */
    private void remember(int slot, String value, int from) {
        if (slot >= lastValues.length) {
            int size = Math.max(2 * lastValues.length, slot + 2);
            lastValues = Arrays.copyOf(lastValues, size);
            lastEncoded = Arrays.copyOf(lastEncoded, size);
        }
        lastValues[slot] = value;
        lastEncoded[slot] = Arrays.copyOfRange(out.array(), from, out.length());
    }

    /** Captured prompt or completion text: redacted here, on the export thread. */
    void content(AttributeName name, String text) {
        if (text != null) {
            string(name, redaction == null ? text : redaction.redact(text));
        }
    }

    void integer(AttributeName name, long value) {
        open(name);
        out.int64(ANY_INT, value);
        closeAttribute();
    }

    void floating(AttributeName name, double value) {
        open(name);
        out.double64(ANY_DOUBLE, value);
        closeAttribute();
    }

    void bool(AttributeName name, boolean value) {
        open(name);
        out.bool(ANY_BOOL, value);
        closeAttribute();
    }

    void strings(AttributeName name, List<String> values) {
        open(name);
        out.open(ANY_ARRAY);
        for (String value : values) {
            out.open(ARRAY_VALUES);
            out.string(ANY_STRING, value);
            out.close();
        }
        out.close();
        closeAttribute();
    }

    private void open(AttributeName name) {
        out.open(SPAN_ATTRIBUTES);
        out.raw(name.encodedKey());
        out.open(KEY_VALUE_VALUE);
    }

    private void closeAttribute() {
        out.close();
        out.close();
    }
}
