package dev.llmgateway.tracing;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The OTLP encoder's bytes, parsed by opentelemetry-proto's own classes: every field and value type the encoder
 * writes comes back as it went in, UTF-8 beyond ASCII, lengths and varints of every size included.
 */
class OtlpEncoderTest {
    private static final AttributeName TEXT = new AttributeName("test.text");
    private static final AttributeName EMPTY = new AttributeName("test.empty");
    private static final AttributeName LONG_TEXT = new AttributeName("test.long_text");
    private static final AttributeName HUGE_TEXT = new AttributeName("test.huge_text");
    private static final AttributeName LONE_SURROGATE = new AttributeName("test.lone_surrogate");
    private static final AttributeName MISSING = new AttributeName("test.missing");
    private static final AttributeName SMALL = new AttributeName("test.small");
    private static final AttributeName LARGE = new AttributeName("test.large");
    private static final AttributeName NEGATIVE = new AttributeName("test.negative");
    private static final AttributeName RATIO = new AttributeName("test.ratio");
    private static final AttributeName YES = new AttributeName("test.yes");
    private static final AttributeName NO = new AttributeName("test.no");
    private static final AttributeName REASONS = new AttributeName("gen_ai.response.finish_reasons");
    private static final AttributeName CONTENT = new AttributeName("gen_ai.output.messages");

    /** Two-, three- and four-byte UTF-8 (é, 中, an emoji as a surrogate pair) between ASCII. */
    private static final String NON_ASCII = "Grüße 中文 \uD83D\uDE00 ok";
    private static final String LONG = "x".repeat(200);
    private static final String HUGE = "ü".repeat(70_000);

    /** A span writing one attribute of each kind, as a server or attempt span writes its fields. */
    private static final class EveryType extends SpanRecord {
        EveryType(long traceIdHigh, long traceIdLow, long spanId, long parentSpanId, boolean remote, String state) {
            super(traceIdHigh, traceIdLow, spanId, parentSpanId, remote, state);
        }

        @Override
        int kind() {
            return KIND_CLIENT;
        }

        @Override
        void name(ProtoWriter out) {
            out.utf8("chat");
            out.ascii(' ');
            out.utf8("modèle-中");
        }

        @Override
        void attributes(OtlpEncoder out) {
            out.string(TEXT, NON_ASCII);
            out.string(EMPTY, "");
            out.string(LONG_TEXT, LONG);
            out.string(HUGE_TEXT, HUGE);
            out.string(LONE_SURROGATE, "a\uD83Db");
            out.string(MISSING, null);
            out.integer(SMALL, 0);
            out.integer(LARGE, Long.MAX_VALUE);
            out.integer(NEGATIVE, -42);
            out.floating(RATIO, 0.7);
            out.bool(YES, true);
            out.bool(NO, false);
            out.strings(REASONS, List.of("stop", "länge"));
            out.content(CONTENT, "key sk-proj-abcdefghijklmnopqrstuvwxyz0123456789 end");
        }
    }

    private static final class Root extends SpanRecord {
        Root() {
            super(1, 2, 3, 0, false, null);
            startEpochNanos = 10;
            endEpochNanos = 20;
        }

        @Override
        int kind() {
            return KIND_SERVER;
        }

        @Override
        void name(ProtoWriter out) {
            out.utf8("POST");
        }

        @Override
        void attributes(OtlpEncoder out) {
        }
    }

    private static byte[] copy(ProtoWriter written) {
        return Arrays.copyOf(written.array(), written.length());
    }

    private static ExportTraceServiceRequest parse(ProtoWriter written) throws Exception {
        return ExportTraceServiceRequest.parseFrom(copy(written));
    }

    private static Map<String, AnyValue> attributes(List<KeyValue> values) {
        Map<String, AnyValue> map = new LinkedHashMap<>();
        values.forEach(kv -> map.put(kv.getKey(), kv.getValue()));
        return map;
    }

    private static byte[] bytes(long... longs) {
        byte[] bytes = new byte[longs.length * 8];
        for (int i = 0; i < longs.length; i++) {
            for (int b = 0; b < 8; b++) {
                bytes[i * 8 + b] = (byte) (longs[i] >>> (56 - 8 * b));
            }
        }
        return bytes;
    }

    @Test
    void everyFieldAndValueTypeRoundTripsThroughTheProtoParser() throws Exception {
        Map<String, String> resource = new LinkedHashMap<>();
        resource.put("service.name", "llm-gateway");
        resource.put("deployment.environment", "prod-é");
        OtlpEncoder encoder = new OtlpEncoder(resource, new ContentRedaction());
        EveryType span = new EveryType(0xF1E2D3C4B5A69788L, 0x8000000000000001L, 0xFEDCBA9876543210L,
                0x00F067AA0BA902B7L, true, "vendor=opaque,other=ü");
        span.startEpochNanos = 1_765_000_000_123_456_789L;
        span.endEpochNanos = Long.MAX_VALUE;
        span.error = true;

        ExportTraceServiceRequest request = parse(encoder.encode(new SpanRecord[] {span, new Root()}, 2));

        ResourceSpans resourceSpans = request.getResourceSpans(0);
        Map<String, AnyValue> resourceAttributes = attributes(resourceSpans.getResource().getAttributesList());
        assertEquals("llm-gateway", resourceAttributes.get("service.name").getStringValue());
        assertEquals("prod-é", resourceAttributes.get("deployment.environment").getStringValue());
        ScopeSpans scope = resourceSpans.getScopeSpans(0);
        assertEquals("dev.llmgateway", scope.getScope().getName());
        assertEquals(2, scope.getSpansCount());

        Span parsed = scope.getSpans(0);
        assertEquals(ByteString.copyFrom(bytes(0xF1E2D3C4B5A69788L, 0x8000000000000001L)), parsed.getTraceId());
        assertEquals(ByteString.copyFrom(bytes(0xFEDCBA9876543210L)), parsed.getSpanId());
        assertEquals(ByteString.copyFrom(bytes(0x00F067AA0BA902B7L)), parsed.getParentSpanId());
        assertEquals("vendor=opaque,other=ü", parsed.getTraceState());
        assertEquals("chat modèle-中", parsed.getName());
        assertEquals(Span.SpanKind.SPAN_KIND_CLIENT, parsed.getKind());
        assertEquals(1_765_000_000_123_456_789L, parsed.getStartTimeUnixNano());
        assertEquals(Long.MAX_VALUE, parsed.getEndTimeUnixNano());
        assertEquals(Status.StatusCode.STATUS_CODE_ERROR, parsed.getStatus().getCode());
        assertEquals(0x301, parsed.getFlags(), "sampled, with a remote parent");

        Map<String, AnyValue> a = attributes(parsed.getAttributesList());
        assertEquals(NON_ASCII, a.get("test.text").getStringValue());
        assertEquals(AnyValue.ValueCase.STRING_VALUE, a.get("test.empty").getValueCase());
        assertEquals("", a.get("test.empty").getStringValue());
        assertEquals(LONG, a.get("test.long_text").getStringValue());
        assertEquals(HUGE, a.get("test.huge_text").getStringValue());
        assertEquals("a?b", a.get("test.lone_surrogate").getStringValue(), "as String.getBytes makes it");
        assertFalse(a.containsKey("test.missing"));
        assertEquals(AnyValue.ValueCase.INT_VALUE, a.get("test.small").getValueCase());
        assertEquals(0, a.get("test.small").getIntValue());
        assertEquals(Long.MAX_VALUE, a.get("test.large").getIntValue());
        assertEquals(-42, a.get("test.negative").getIntValue());
        assertEquals(0.7, a.get("test.ratio").getDoubleValue());
        assertEquals(AnyValue.ValueCase.BOOL_VALUE, a.get("test.no").getValueCase());
        assertEquals(true, a.get("test.yes").getBoolValue());
        assertEquals(false, a.get("test.no").getBoolValue());
        List<AnyValue> reasons = a.get("gen_ai.response.finish_reasons").getArrayValue().getValuesList();
        assertEquals(List.of("stop", "länge"), reasons.stream().map(AnyValue::getStringValue).toList());
        assertEquals("key <redacted> end", a.get("gen_ai.output.messages").getStringValue(),
                "captured text is redacted as it is encoded");
        assertEquals(List.of("test.text", "test.empty", "test.long_text", "test.huge_text", "test.lone_surrogate",
                "test.small", "test.large", "test.negative", "test.ratio", "test.yes", "test.no",
                "gen_ai.response.finish_reasons", "gen_ai.output.messages"), List.copyOf(a.keySet()));

        Span root = scope.getSpans(1);
        assertEquals(ByteString.EMPTY, root.getParentSpanId(), "a root has no parent");
        assertEquals("", root.getTraceState());
        assertEquals(Span.SpanKind.SPAN_KIND_SERVER, root.getKind());
        assertEquals(Status.StatusCode.STATUS_CODE_UNSET, root.getStatus().getCode());
        assertEquals(0x101, root.getFlags());
    }

    @Test
    void theBufferIsReusedAndEachBatchEncodedAlone() throws Exception {
        OtlpEncoder encoder = new OtlpEncoder(Map.of("service.name", "s"), null);
        EveryType big = new EveryType(1, 2, 3, 4, false, null);
        byte[] first = copy(encoder.encode(new SpanRecord[] {big}, 1));

        ExportTraceServiceRequest small = parse(encoder.encode(new SpanRecord[] {new Root()}, 1));
        byte[] again = copy(encoder.encode(new SpanRecord[] {big}, 1));

        assertEquals(1, small.getResourceSpans(0).getScopeSpans(0).getSpansCount());
        assertEquals("POST", small.getResourceSpans(0).getScopeSpans(0).getSpans(0).getName());
        assertArrayEquals(first, again, "a batch's bytes do not depend on the batches before");
        assertEquals("key sk-proj-abcdefghijklmnopqrstuvwxyz0123456789 end",
                attributes(parse(encoder.encode(new SpanRecord[] {big}, 1)).getResourceSpans(0).getScopeSpans(0)
                        .getSpans(0).getAttributesList()).get("gen_ai.output.messages").getStringValue(),
                "without content capture the encoder has no redaction to run");
    }

    private static final AttributeName REPEATING = new AttributeName("test.repeating", true);

    /** A span of either kind with one repeating attribute. */
    private static final class Labelled extends SpanRecord {
        private final int kind;
        private final String label;

        Labelled(int kind, String label) {
            super(1, 2, 3, 0, false, null);
            this.kind = kind;
            this.label = label;
        }

        @Override
        int kind() {
            return kind;
        }

        @Override
        void name(ProtoWriter out) {
            out.utf8("x");
        }

        @Override
        void attributes(OtlpEncoder out) {
            out.string(REPEATING, label);
            out.string(TEXT, label);
        }
    }

    @Test
    void aRepeatingAttributeWrittenAgainFromItsLastBytesIsTheValueOfEachSpanOfEitherKind() throws Exception {
        OtlpEncoder encoder = new OtlpEncoder(Map.of("service.name", "s"), null);
        List<String> labels = List.of("fast", "up-model", "fast", "fäst", "", "fast", "x".repeat(300), "fast");
        for (int batch = 0; batch < 2; batch++) {
            SpanRecord[] spans = new SpanRecord[labels.size() * 2];
            for (int i = 0; i < labels.size(); i++) {
                // A server span and a client span alternate, as an exchange's spans do, each with its own values.
                spans[2 * i] = new Labelled(SpanRecord.KIND_SERVER, labels.get(i));
                spans[2 * i + 1] = new Labelled(SpanRecord.KIND_CLIENT, new String(labels.get(labels.size() - 1 - i)));
            }
            List<Span> parsed = parse(encoder.encode(spans, spans.length)).getResourceSpans(0).getScopeSpans(0)
                    .getSpansList();
            for (int i = 0; i < spans.length; i++) {
                Map<String, AnyValue> a = attributes(parsed.get(i).getAttributesList());
                assertEquals(a.get("test.text").getStringValue(), a.get("test.repeating").getStringValue(),
                        "span " + i + " of batch " + batch);
            }
        }
    }
}
