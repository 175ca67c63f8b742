package dev.llmgateway.testutil;

import com.google.protobuf.ByteString;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;

/**
 * A trace collector on 127.0.0.1: OTLP/HTTP with protobuf, as Jaeger, Tempo or the OpenTelemetry Collector serve it
 * on port 4318. It decodes each {@code ExportTraceServiceRequest} with the OTLP protobuf classes and keeps the spans
 * (and the headers each export came with) for a test to read.
 */
public final class OtlpReceiver implements AutoCloseable {
    /** One received span, ids in hex as {@code traceparent} writes them; {@code parentSpanId} empty for a root. */
    public record ReceivedSpan(String traceId, String spanId, String parentSpanId, String name, Span.SpanKind kind,
                               Map<String, Object> attributes, Status.StatusCode status, long startNanos,
                               long endNanos, Map<String, Object> resource) {
        public Object attribute(String key) {
            return attributes.get(key);
        }

        @Override
        public String toString() {
            return name + " " + kind + " " + traceId + "/" + spanId + " <- " + parentSpanId + " " + status + " "
                    + attributes;
        }
    }

    private static final HexFormat HEX = HexFormat.of();

    private final HttpServer server;
    private final ExecutorService executor = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "otlp-receiver");
        thread.setDaemon(true);
        return thread;
    });
    private final List<ReceivedSpan> spans = new CopyOnWriteArrayList<>();
    private final List<Map<String, String>> exportHeaders = new CopyOnWriteArrayList<>();

    public OtlpReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        server.setExecutor(executor);
        server.createContext("/v1/traces", this::export);
        server.start();
    }

    /** The base URL, as {@code [tracing] endpoint} takes it. */
    public String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public List<ReceivedSpan> spans() {
        return List.copyOf(spans);
    }

    /** The headers of each export request, names in lower case. */
    public List<Map<String, String>> exportHeaders() {
        return List.copyOf(exportHeaders);
    }

    /** Waits (at most {@code timeout}) until {@code count} spans of {@code traceId} arrived, and returns them. */
    public List<ReceivedSpan> awaitTrace(String traceId, int count, Duration timeout) throws InterruptedException {
        return await(span -> span.traceId().equals(traceId), count, timeout);
    }

    /** Waits (at most {@code timeout}) until {@code count} spans matching {@code which} arrived. */
    public List<ReceivedSpan> await(Predicate<ReceivedSpan> which, int count, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<ReceivedSpan> matching;
        do {
            matching = spans.stream().filter(which).collect(Collectors.toList());
            if (matching.size() >= count) {
                return matching;
            }
            Thread.sleep(20);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("expected " + count + " spans within " + timeout + ", got " + matching
                + "; all: " + spans);
    }

    private void export(HttpExchange exchange) throws IOException {
        try (exchange) {
            Map<String, String> headers = new LinkedHashMap<>();
            exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(), values.get(0)));
            exportHeaders.add(headers);
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = "gzip".equalsIgnoreCase(headers.get("content-encoding"))
                        ? new GZIPInputStream(in).readAllBytes() : in.readAllBytes();
            }
            ExportTraceServiceRequest request = ExportTraceServiceRequest.parseFrom(body);
            for (ResourceSpans resourceSpans : request.getResourceSpansList()) {
                Map<String, Object> resource = attributes(resourceSpans.getResource());
                for (ScopeSpans scope : resourceSpans.getScopeSpansList()) {
                    for (Span span : scope.getSpansList()) {
                        spans.add(new ReceivedSpan(hex(span.getTraceId()), hex(span.getSpanId()),
                                hex(span.getParentSpanId()), span.getName(), span.getKind(),
                                attributes(span.getAttributesList()), span.getStatus().getCode(),
                                span.getStartTimeUnixNano(), span.getEndTimeUnixNano(), resource));
                    }
                }
            }
            byte[] answer = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
            exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
            exchange.sendResponseHeaders(200, answer.length == 0 ? -1 : answer.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(answer);
            }
        }
    }

    private static Map<String, Object> attributes(Resource resource) {
        return attributes(resource.getAttributesList());
    }

    private static Map<String, Object> attributes(List<KeyValue> values) {
        Map<String, Object> attributes = new LinkedHashMap<>();
        for (KeyValue value : values) {
            attributes.put(value.getKey(), value(value.getValue()));
        }
        return attributes;
    }

    private static Object value(AnyValue value) {
        return switch (value.getValueCase()) {
            case STRING_VALUE -> value.getStringValue();
            case BOOL_VALUE -> value.getBoolValue();
            case INT_VALUE -> value.getIntValue();
            case DOUBLE_VALUE -> value.getDoubleValue();
            case ARRAY_VALUE -> {
                List<Object> list = new ArrayList<>();
                value.getArrayValue().getValuesList().forEach(element -> list.add(value(element)));
                yield list;
            }
            default -> value.toString();
        };
    }

    private static String hex(ByteString id) {
        return HEX.formatHex(id.toByteArray());
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
