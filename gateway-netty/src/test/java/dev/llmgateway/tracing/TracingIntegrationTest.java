package dev.llmgateway.tracing;

import dev.llmgateway.testutil.ClientProtocol;
import dev.llmgateway.testutil.FakeUpstream;
import dev.llmgateway.testutil.Fixtures;
import dev.llmgateway.testutil.GatewayHarness;
import dev.llmgateway.testutil.OnBothClientProtocols;
import dev.llmgateway.testutil.OtlpReceiver.ReceivedSpan;
import dev.llmgateway.testutil.OtlpReceiver;
import dev.llmgateway.testutil.PrometheusText;
import io.opentelemetry.proto.trace.v1.Span.SpanKind;
import io.opentelemetry.proto.trace.v1.Status.StatusCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Traces end to end on loopback: a client with a {@code traceparent}, the gateway with tracing on, scripted
 * providers, and a real OTLP/HTTP receiver decoding what the exporter sends. Each case checks the spans, how they
 * hang together and their attributes.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
@OnBothClientProtocols
class TracingIntegrationTest {
    @Parameter
    ClientProtocol protocol;

    private static final String CLIENT_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String CLIENT_SPAN = "00f067aa0ba902b7";
    private static final String TRACEPARENT = "00-" + CLIENT_TRACE + "-" + CLIENT_SPAN + "-01";
    private static final String CHAT = Fixtures.text("openai/request-chat.json").replace("gpt-4o-mini", "fast");
    private static final String STREAM_CHAT = "{\"model\":\"fast\",\"stream\":true,\"top_p\":0.9,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static final String SSE = "text/event-stream";
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;
    private final OtlpReceiver collector = new OtlpReceiver();
    private FakeUpstream first;
    private FakeUpstream second;
    private GatewayHarness gateway;

    TracingIntegrationTest() throws Exception {
    }

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (first != null) {
            first.close();
        }
        if (second != null) {
            second.close();
        }
        collector.close();
    }

    private void start(FakeUpstream.Script a, FakeUpstream.Script b, String tracing) throws Exception {
        first = new FakeUpstream(a);
        second = new FakeUpstream(b);
        gateway = GatewayHarness.start(protocol, "", """
                [[api_keys]]
                name = "tester"
                key = "%s"

                [providers.pa]
                type = "openai_compatible"
                base_url = "%s"
                max_attempts = 2
                idle_timeout = "500ms"

                [providers.pb]
                type = "openai_compatible"
                base_url = "%s"

                [models."fast"]
                provider = "pa"
                api_model = "a-model"
                fallbacks = ["slow"]

                [models."slow"]
                provider = "pb"
                api_model = "b-model"

                [access_log]
                sink = "%s"

                [tracing]
                %s
                """.formatted(GatewayHarness.KEY, first.baseUrl(), second.baseUrl(), dir.resolve("access.log"),
                tracing), Map.of());
    }

    private void start(FakeUpstream.Script a, FakeUpstream.Script b) throws Exception {
        start(a, b, """
                enabled = true
                endpoint = "%s"
                export_delay = "50ms"
                headers = { authorization = "Bearer collector-token" }
                """.formatted(collector.endpoint()));
    }

    /** Both upstreams answer; the spans go to the collector, with one more {@code [tracing]} setting. */
    private void startExportingWith(String setting) throws Exception {
        start(TracingIntegrationTest::ok, TracingIntegrationTest::ok, """
                enabled = true
                endpoint = "%s"
                export_delay = "50ms"
                %s
                """.formatted(collector.endpoint(), setting));
    }

    private static void ok(FakeUpstream.Reply reply) {
        reply.full(200, "OK", "application/json", Fixtures.bytes("openai/chat-completion.json"));
    }

    private static void stream(FakeUpstream.Reply reply) throws Exception {
        reply.head(200, "OK", true, "content-type", SSE).body(Fixtures.text("openai/chat-completion-stream.sse"))
                .end();
    }

    private static void overloaded(FakeUpstream.Reply reply) {
        reply.full(503, "Service Unavailable", "application/json", Fixtures.bytes("openai/error-503-overloaded.json"));
    }

    private HttpResponse<String> post(String json, String traceparent) throws Exception {
        HttpRequest.Builder request = gateway.request("/v1/chat/completions")
                .header("authorization", "Bearer " + GatewayHarness.KEY)
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        if (traceparent != null) {
            request.header("traceparent", traceparent).header("tracestate", "vendor=opaque");
        }
        return gateway.client().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The trace's spans: the server span first, then the attempts in order. */
    private List<ReceivedSpan> trace(String traceId, int count) throws InterruptedException {
        List<ReceivedSpan> spans = collector.awaitTrace(traceId, count, WAIT).stream()
                .sorted(Comparator.comparing((ReceivedSpan s) -> s.kind() != SpanKind.SPAN_KIND_SERVER)
                        .thenComparingLong(ReceivedSpan::startNanos))
                .toList();
        assertEquals(count, spans.size(), spans.toString());
        return spans;
    }

    private static String traceId(String traceparent) {
        return traceparent.split("-")[1];
    }

    /** The sampled bit of the flags (the others, such as W3C's random-trace-id bit, may be set too). */
    private static boolean sampled(String traceparent) {
        return (Integer.parseInt(traceparent.split("-")[3], 16) & 1) == 1;
    }

    @Test
    void aRequestWithATraceparentIsOneTraceWithTheServerSpanAndItsAttempt() throws Exception {
        start(TracingIntegrationTest::ok, TracingIntegrationTest::ok);

        HttpResponse<String> response = post(CHAT, TRACEPARENT);

        assertEquals(200, response.statusCode());
        List<ReceivedSpan> spans = trace(CLIENT_TRACE, 2);
        ReceivedSpan server = spans.get(0);
        ReceivedSpan attempt = spans.get(1);
        assertEquals(CLIENT_SPAN, server.parentSpanId(), "the client's span is the server span's parent");
        assertEquals(SpanKind.SPAN_KIND_SERVER, server.kind());
        assertEquals("POST /v1/chat/completions", server.name());
        assertEquals(server.spanId(), attempt.parentSpanId());
        assertEquals(SpanKind.SPAN_KIND_CLIENT, attempt.kind());
        assertEquals("chat a-model", attempt.name());

        assertEquals("chat", attempt.attribute("gen_ai.operation.name"));
        assertEquals("openai", attempt.attribute("gen_ai.provider.name"));
        assertEquals("a-model", attempt.attribute("gen_ai.request.model"));
        assertEquals("gpt-4o-mini-2024-07-18", attempt.attribute("gen_ai.response.model"));
        assertEquals("chatcmpl-Bq7XhT2mLr9wKfA3sVn1eYpZuH0dG", attempt.attribute("gen_ai.response.id"));
        assertEquals(List.of("stop"), attempt.attribute("gen_ai.response.finish_reasons"));
        assertEquals(256L, attempt.attribute("gen_ai.request.max_tokens"));
        assertEquals(0.7, attempt.attribute("gen_ai.request.temperature"));
        assertEquals(24L, attempt.attribute("gen_ai.usage.input_tokens"));
        assertEquals(8L, attempt.attribute("gen_ai.usage.output_tokens"));
        assertEquals(0L, attempt.attribute("gen_ai.usage.cache_read.input_tokens"));
        assertEquals("127.0.0.1", attempt.attribute("server.address"));
        assertEquals((long) first.port(), attempt.attribute("server.port"));
        assertEquals(200L, attempt.attribute("http.response.status_code"));
        assertEquals("pa", attempt.attribute("llm_gateway.provider"));
        assertEquals("fast", attempt.attribute("llm_gateway.model_alias"));
        assertEquals(1L, attempt.attribute("llm_gateway.attempt"));
        assertEquals("completed", attempt.attribute("llm_gateway.outcome"));
        assertNull(attempt.attribute("gen_ai.input.messages"), "content is not captured by default");
        assertEquals(StatusCode.STATUS_CODE_UNSET, attempt.status());

        assertEquals("tester", server.attribute("llm_gateway.api_key"));
        assertEquals("fast", server.attribute("gen_ai.request.model"));
        assertEquals(200L, server.attribute("http.response.status_code"));
        assertEquals("completed", server.attribute("llm_gateway.outcome"));
        assertEquals(1L, server.attribute("llm_gateway.attempts"));
        assertNotNull(server.attribute("llm_gateway.overhead_us"));
        assertEquals(response.headers().firstValue("x-request-id").orElseThrow(),
                server.attribute("llm_gateway.request_id"));
        assertEquals("llm-gateway", server.resource().get("service.name"));
        assertTrue(server.startNanos() <= attempt.startNanos() && attempt.endNanos() <= server.endNanos(),
                "the attempt lies within the request");

        String upstreamParent = first.last().headers().get("traceparent");
        assertEquals("00-" + CLIENT_TRACE + "-" + attempt.spanId() + "-01", upstreamParent,
                "the provider is told the attempt's span is its parent");
        assertEquals("vendor=opaque", first.last().headers().get("tracestate"));
        assertEquals("00-" + CLIENT_TRACE + "-" + server.spanId() + "-01",
                response.headers().firstValue("traceparent").orElseThrow(), "the client learns the server span");
        assertEquals("Bearer collector-token", collector.exportHeaders().get(0).get("authorization"));
    }

    @Test
    void aRequestWithoutTraceparentStartsATraceAndTheAccessLogNamesIt() throws Exception {
        start(TracingIntegrationTest::ok, TracingIntegrationTest::ok);

        HttpResponse<String> response = post(CHAT, null);

        String traceparent = response.headers().firstValue("traceparent").orElseThrow();
        String traceId = traceId(traceparent);
        List<ReceivedSpan> spans = trace(traceId, 2);
        assertEquals("", spans.get(0).parentSpanId(), "a root span");
        gateway.close();
        gateway = null;
        String line = Files.readString(dir.resolve("access.log"));
        assertTrue(line.contains("\"trace_id\":\"" + traceId + "\""), line);
    }

    @Test
    void aStreamRecordsItsFirstTokenAndFinishReason() throws Exception {
        start(TracingIntegrationTest::stream, TracingIntegrationTest::ok);

        HttpResponse<String> response = post(STREAM_CHAT, TRACEPARENT);

        assertEquals(200, response.statusCode());
        assertTrue(response.body().contains("[DONE]"));
        List<ReceivedSpan> spans = trace(CLIENT_TRACE, 2);
        ReceivedSpan server = spans.get(0);
        ReceivedSpan attempt = spans.get(1);
        assertEquals(true, server.attribute("llm_gateway.stream"));
        assertTrue((Double) server.attribute("llm_gateway.ttft_ms") > 0, server.toString());
        assertTrue((Double) attempt.attribute("llm_gateway.ttft_ms") > 0, attempt.toString());
        assertEquals(List.of("stop"), attempt.attribute("gen_ai.response.finish_reasons"));
        assertEquals("gpt-4o-mini-2024-07-18", attempt.attribute("gen_ai.response.model"));
        assertEquals("chatcmpl-Bq7XhT2mLr9wKfA3sVn1eYpZuH0dG", attempt.attribute("gen_ai.response.id"));
        assertEquals(0.9, attempt.attribute("gen_ai.request.top_p"));
        assertEquals(8L, attempt.attribute("gen_ai.usage.output_tokens"));
        assertEquals("completed", attempt.attribute("llm_gateway.outcome"));
    }

    @Test
    void aRetriedRequestHasItsAttemptsAsSiblings() throws Exception {
        int[] calls = {0};
        start(reply -> {
            if (calls[0]++ == 0) {
                overloaded(reply);
            } else {
                ok(reply);
            }
        }, TracingIntegrationTest::ok);

        assertEquals(200, post(CHAT, TRACEPARENT).statusCode());

        List<ReceivedSpan> spans = trace(CLIENT_TRACE, 3);
        ReceivedSpan server = spans.get(0);
        ReceivedSpan failed = spans.get(1);
        ReceivedSpan retried = spans.get(2);
        assertEquals(server.spanId(), failed.parentSpanId());
        assertEquals(server.spanId(), retried.parentSpanId());
        assertEquals(1L, failed.attribute("llm_gateway.attempt"));
        assertEquals("failed", failed.attribute("llm_gateway.outcome"));
        assertEquals("503", failed.attribute("error.type"));
        assertEquals(503L, failed.attribute("http.response.status_code"));
        assertEquals(StatusCode.STATUS_CODE_ERROR, failed.status());
        assertEquals(2L, retried.attribute("llm_gateway.attempt"));
        assertEquals("completed", retried.attribute("llm_gateway.outcome"));
        assertEquals(2L, server.attribute("llm_gateway.attempts"));
        assertTrue(failed.endNanos() <= retried.startNanos(), "one after the other");
    }

    @Test
    void aFallbackIsASiblingOnTheNextAliasProvider() throws Exception {
        start(TracingIntegrationTest::overloaded, TracingIntegrationTest::ok);

        HttpResponse<String> response = post(CHAT, TRACEPARENT);

        assertEquals(200, response.statusCode());
        List<ReceivedSpan> spans = trace(CLIENT_TRACE, 4);
        ReceivedSpan server = spans.get(0);
        for (ReceivedSpan attempt : spans.subList(1, 4)) {
            assertEquals(server.spanId(), attempt.parentSpanId(), attempt.toString());
        }
        assertEquals("pa", spans.get(1).attribute("llm_gateway.provider"));
        assertEquals("pa", spans.get(2).attribute("llm_gateway.provider"));
        ReceivedSpan fallback = spans.get(3);
        assertEquals("chat b-model", fallback.name());
        assertEquals("pb", fallback.attribute("llm_gateway.provider"));
        assertEquals("b-model", fallback.attribute("gen_ai.request.model"));
        assertEquals("slow", fallback.attribute("llm_gateway.model_alias"));
        assertEquals(3L, fallback.attribute("llm_gateway.attempt"));
        assertEquals("completed", fallback.attribute("llm_gateway.outcome"));
        assertEquals("pb", server.attribute("llm_gateway.provider"));
        assertEquals("fast", server.attribute("gen_ai.request.model"));
    }

    @Test
    void aStreamTheClientLeavesIsCancelled() throws Exception {
        start(reply -> {
            reply.head(200, "OK", true, "content-type", SSE).body(firstEvent());
            while (reply.isOpen()) {
                Thread.sleep(20);
            }
        }, TracingIntegrationTest::ok);

        // Closing the body unread leaves: on HTTP/1.1 the client closes its connection, on HTTP/2 it resets the stream.
        try (InputStream body = gateway.client().send(gateway.request("/v1/chat/completions")
                .header("authorization", "Bearer " + GatewayHarness.KEY).header("content-type", "application/json")
                .header("traceparent", TRACEPARENT).POST(HttpRequest.BodyPublishers.ofString(STREAM_CHAT)).build(),
                HttpResponse.BodyHandlers.ofInputStream()).body()) {
            BufferedReader reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
            String line;
            do {
                line = reader.readLine();
            } while (line != null && !line.startsWith("data:"));
            assertNotNull(line, "the first event arrived");
        }

        List<ReceivedSpan> spans = trace(CLIENT_TRACE, 2);
        assertEquals("cancelled", spans.get(0).attribute("llm_gateway.outcome"));
        assertEquals("cancelled", spans.get(1).attribute("llm_gateway.outcome"));
        assertEquals(StatusCode.STATUS_CODE_UNSET, spans.get(1).status());
    }

    @Test
    void aStreamThatBreaksOffFailsMidStream() throws Exception {
        start(reply -> {
            reply.head(200, "OK", true, "content-type", SSE).body(firstEvent());
            Thread.sleep(2_000); // silent past the idle timeout
        }, TracingIntegrationTest::ok);

        HttpResponse<InputStream> response = gateway.client().send(gateway.request("/v1/chat/completions")
                .header("authorization", "Bearer " + GatewayHarness.KEY)
                .header("content-type", "application/json")
                .header("traceparent", TRACEPARENT)
                .POST(HttpRequest.BodyPublishers.ofString(STREAM_CHAT)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        String body = new String(response.body().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(body.contains("upstream_timeout"), body);

        List<ReceivedSpan> spans = trace(CLIENT_TRACE, 2);
        ReceivedSpan server = spans.get(0);
        ReceivedSpan attempt = spans.get(1);
        assertEquals("failed_mid_stream", attempt.attribute("llm_gateway.outcome"));
        assertEquals("upstream_timeout", attempt.attribute("error.type"));
        assertEquals(StatusCode.STATUS_CODE_ERROR, attempt.status());
        assertEquals("failed_mid_stream", server.attribute("llm_gateway.outcome"));
        assertEquals(200L, server.attribute("http.response.status_code"));
        assertEquals(StatusCode.STATUS_CODE_ERROR, server.status());
    }

    @Test
    void capturedContentIsRedactedAsTheBodyCaptureIs() throws Exception {
        startExportingWith("capture_content = true");

        // The gateway key has no credential shape: only its value, from the config, gives it away.
        post(CHAT.replace("What is the capital of France?",
                "Use key sk-live-0123456789abcdef please, not " + GatewayHarness.KEY), TRACEPARENT);

        ReceivedSpan attempt = trace(CLIENT_TRACE, 2).get(1);
        String input = (String) attempt.attribute("gen_ai.input.messages");
        assertEquals("[{\"role\":\"system\",\"parts\":[{\"type\":\"text\","
                + "\"content\":\"You are a concise assistant.\"}]},{\"role\":\"user\",\"parts\":"
                + "[{\"type\":\"text\",\"content\":\"Use key <redacted> please, not <redacted>\"}]}]", input);
        assertEquals("[{\"role\":\"assistant\",\"parts\":[{\"type\":\"text\",\"content\":"
                + "\"The capital of France is Paris.\"}],\"finish_reason\":\"stop\"}]",
                attempt.attribute("gen_ai.output.messages"));
    }

    @Test
    void withTracingOffNothingIsAddedAndTheClientsTraceparentPassesThrough() throws Exception {
        start(TracingIntegrationTest::ok, TracingIntegrationTest::ok, "");

        HttpResponse<String> response = post(CHAT, TRACEPARENT);

        assertEquals(200, response.statusCode());
        assertFalse(response.headers().firstValue("traceparent").isPresent());
        assertEquals(TRACEPARENT, first.last().headers().get("traceparent"));
        gateway.close();
        gateway = null;
        assertTrue(Files.readString(dir.resolve("access.log")).contains("\"trace_id\":null"));
        assertEquals(List.of(), collector.spans());
    }

    @Test
    void anUnsampledTraceIsPropagatedButNotExported() throws Exception {
        start(TracingIntegrationTest::ok, TracingIntegrationTest::ok, """
                enabled = true
                endpoint = "%s"
                export_delay = "50ms"
                sample_ratio = 0.0
                """.formatted(collector.endpoint()));

        HttpResponse<String> unsampled = post(CHAT, null);
        HttpResponse<String> sampledParent = post(CHAT, TRACEPARENT);

        String traceparent = unsampled.headers().firstValue("traceparent").orElseThrow();
        assertFalse(sampled(traceparent), traceparent);
        assertEquals(traceId(traceparent), traceId(first.received().get(0).headers().get("traceparent")));
        assertTrue(sampled(sampledParent.headers().firstValue("traceparent").orElseThrow()));
        trace(CLIENT_TRACE, 2); // the sampled parent decides: kept
        assertTrue(collector.spans().stream().noneMatch(s -> s.traceId().equals(traceId(traceparent))));
    }

    @Test
    void aCollectorThatNeverAnswersCostsRequestsNothingAndItsSpansAreDroppedAndCounted() throws Exception {
        try (ServerSocket blackHole = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            start(TracingIntegrationTest::ok, TracingIntegrationTest::ok, """
                    enabled = true
                    endpoint = "http://127.0.0.1:%d"
                    export_delay = "10ms"
                    export_timeout = "10s"
                    queue_capacity = 16
                    """.formatted(blackHole.getLocalPort()));
            assertEquals(200, post(CHAT, null).statusCode()); // the first request loads the classes

            long slowest = 0;
            for (int i = 0; i < 200; i++) {
                long startNanos = System.nanoTime();
                assertEquals(200, post(CHAT, null).statusCode());
                slowest = Math.max(slowest, System.nanoTime() - startNanos);
            }

            // An export waits up to 10 s for the collector: a request that waited for one would show it.
            assertTrue(slowest < 2_000_000_000L, "slowest request " + slowest / 1_000_000 + " ms");
            String metrics = gateway.get("/metrics", null).body();
            assertTrue(PrometheusText.value(metrics, "llm_trace_spans_dropped_total") > 0, metrics);
        }
    }

    @Test
    void gzipCompressedExportsArriveWhole() throws Exception {
        startExportingWith("compression = \"gzip\"");

        String traceparent = post(CHAT, null).headers().firstValue("traceparent").orElseThrow();

        trace(traceId(traceparent), 2);
        assertEquals("gzip", collector.exportHeaders().get(0).get("content-encoding"));
    }

    @Test
    void aCollectorThatRefusesEveryExportCountsItsSpansFailed() throws Exception {
        int refusing;
        try (ServerSocket closed = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            refusing = closed.getLocalPort(); // nothing listens there once it is closed
        }
        start(TracingIntegrationTest::ok, TracingIntegrationTest::ok, """
                enabled = true
                endpoint = "http://127.0.0.1:%d"
                export_delay = "10ms"
                export_timeout = "300ms"
                """.formatted(refusing));

        assertEquals(200, post(CHAT, null).statusCode());

        long deadline = System.nanoTime() + WAIT.toNanos();
        double failed = 0;
        while (failed < 2 && System.nanoTime() < deadline) {
            Thread.sleep(50);
            failed = PrometheusText.value(gateway.get("/metrics", null).body(), "llm_trace_spans_export_failed_total");
        }
        assertEquals(2, failed, "the request's server and attempt spans");
    }

    /** The stream fixture's first event. */
    private static String firstEvent() {
        String stream = Fixtures.text("openai/chat-completion-stream.sse");
        return stream.substring(0, stream.indexOf("\n\n") + 2);
    }
}
