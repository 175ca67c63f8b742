package dev.llmgateway.metrics;

import dev.llmgateway.testutil.AccessLogFile;
import dev.llmgateway.testutil.ClientProtocol;
import dev.llmgateway.testutil.FakeUpstream;
import dev.llmgateway.testutil.Fixtures;
import dev.llmgateway.testutil.GatewayHarness;
import dev.llmgateway.testutil.JsonPath;
import dev.llmgateway.testutil.OnBothClientProtocols;
import dev.llmgateway.testutil.PrometheusText;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Scripted traffic through a real gateway, then {@code /metrics} and the access log read back: exact request
 * counts and token sums for every path (non-stream, stream with and without usage asked, cancelled, failed).
 */
@OnBothClientProtocols
class ObservabilityIntegrationTest {
    @Parameter
    ClientProtocol protocol;

    private static final String UPSTREAM_MODEL = "gpt-4o-mini-2024-07-18";
    private static final String CHAT = "{\"model\":\"fast\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    @TempDir
    Path dir;
    private FakeUpstream upstream;
    private GatewayHarness gateway;
    private Path accessLog;

    @BeforeEach
    void start() throws Exception {
        upstream = new FakeUpstream(FakeUpstream.json("openai/chat-completion.json"));
        accessLog = dir.resolve("access.log");
        gateway = GatewayHarness.start(protocol, GatewayHarness.openAiConfig(upstream.baseUrl(), """
                [models."fast"]
                provider = "up"
                api_model = "%s"

                [access_log]
                sink = "%s"
                """.formatted(UPSTREAM_MODEL, accessLog.toString().replace("\\", "/"))));
    }

    @AfterEach
    void stop() {
        gateway.close();
        upstream.close();
    }

    private String scrape() throws Exception {
        HttpResponse<String> response = gateway.get("/metrics", null);
        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("content-type").orElseThrow().startsWith("text/plain; version=0.0.4"));
        return response.body();
    }

    private static double requests(String metrics, String status) {
        return PrometheusText.value(metrics, "llm_requests_total", "api_key", "tester", "model", "fast",
                "provider", "up", "endpoint", "chat_completions", "status", status);
    }

    private static double tokens(String metrics, String type) {
        return PrometheusText.value(metrics, "llm_tokens_total", "api_key", "tester", "model", "fast",
                "provider", "up", "type", type);
    }

    private void streamFixture(byte[] sse) {
        upstream.script(reply -> {
            reply.head(200, "OK", true, "content-type", "text/event-stream");
            reply.body(sse);
            reply.end();
        });
    }

    @Test
    void nonStreamingRequestsAreCountedWithTheirTokensAndOverheadHeader() throws Exception {
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> response = gateway.post("/v1/chat/completions", CHAT);
            assertEquals(200, response.statusCode());
            long overheadMicros = Long.parseLong(response.headers().firstValue("x-gateway-overhead-us").orElseThrow());
            assertTrue(overheadMicros >= 0 && overheadMicros < 5_000_000, "overhead " + overheadMicros);
        }
        String metrics = scrape();
        assertEquals(3, requests(metrics, "200"));
        assertEquals(3 * 24, tokens(metrics, "input"));
        assertEquals(3 * 8, tokens(metrics, "output"));
        assertEquals(0, tokens(metrics, "cached_input"));
        assertEquals(3, PrometheusText.value(metrics, "llm_gateway_overhead_seconds_count",
                "endpoint", "chat_completions", "stream", "false"));
        assertEquals(0, PrometheusText.value(metrics, "llm_requests_in_flight"));
    }

    @Test
    void streamWithUsageAskedIsCountedAndKeepsItsUsageChunk() throws Exception {
        streamFixture(Fixtures.bytes("openai/chat-completion-stream.sse"));
        HttpResponse<String> response = gateway.post("/v1/chat/completions", "{\"model\":\"fast\",\"stream\":true,"
                + "\"stream_options\":{\"include_usage\":true},\"messages\":[]}");
        assertTrue(response.body().contains("\"prompt_tokens\":24"), "the client asked for usage and gets it");
        String metrics = scrape();
        assertEquals(24, tokens(metrics, "input"));
        assertEquals(8, tokens(metrics, "output"));
        assertEquals(1, PrometheusText.value(metrics, "llm_stream_outcomes_total", "outcome", "completed"));
        assertEquals(1, PrometheusText.value(metrics, "llm_time_to_first_token_seconds_count", "model", "fast"));
    }

    @Test
    void streamWithoutUsageAskedIsCountedButTheClientGetsExactlyWhatItAskedFor() throws Exception {
        String fixture = Fixtures.text("openai/chat-completion-stream.sse");
        streamFixture(fixture.getBytes(StandardCharsets.UTF_8));

        HttpResponse<String> response = gateway.post("/v1/chat/completions",
                "{\"model\":\"fast\",\"stream\":true,\"messages\":[]}");

        String sent = upstream.last().body();
        assertEquals("true", JsonPath.read(sent, "stream_options", "include_usage"), "usage asked for upstream");
        String expected = Arrays.stream(fixture.split("(?<=\n\n)"))
                .filter(event -> !event.contains("\"choices\":[]"))
                .map(event -> event.replace(",\"usage\":null", "")
                        .replace("\"model\":\"" + UPSTREAM_MODEL + "\"", "\"model\":\"fast\""))
                .collect(Collectors.joining());
        assertEquals(expected, response.body());
        assertFalse(response.body().contains("usage"));
        String metrics = scrape();
        assertEquals(24, tokens(metrics, "input"));
        assertEquals(8, tokens(metrics, "output"));
    }

    @Test
    void usageRequestIsMergedIntoExistingStreamOptions() throws Exception {
        streamFixture(Fixtures.bytes("openai/chat-completion-stream.sse"));
        gateway.post("/v1/chat/completions", "{\"model\":\"fast\",\"stream\":true,"
                + "\"stream_options\":{\"include_obfuscation\":false},\"messages\":[]}");
        assertEquals("true", JsonPath.read(upstream.last().body(), "stream_options", "include_usage"));
        assertEquals("false", JsonPath.read(upstream.last().body(), "stream_options", "include_obfuscation"));
        gateway.post("/v1/chat/completions", "{\"model\":\"fast\",\"stream\":true,"
                + "\"stream_options\":{\"include_usage\":false},\"messages\":[]}");
        assertEquals("true", JsonPath.read(upstream.last().body(), "stream_options", "include_usage"));
        gateway.post("/v1/chat/completions", "{\"model\":\"fast\",\"stream\":true,\"stream_options\":{},"
                + "\"messages\":[]}");
        assertEquals("true", JsonPath.read(upstream.last().body(), "stream_options", "include_usage"));
    }

    @Test
    void aStreamTheClientAbandonsIsCountedAsCancelled() throws Exception {
        String fixture = Fixtures.text("openai/chat-completion-stream.sse");
        CompletableFuture<Void> clientGone = new CompletableFuture<>();
        upstream.script(reply -> {
            reply.head(200, "OK", true, "content-type", "text/event-stream");
            reply.body(fixture.substring(0, fixture.indexOf("\n\n") + 2));
            clientGone.get(10, TimeUnit.SECONDS);
        });
        // Closing the body unread leaves: on HTTP/1.1 the client closes its connection, on HTTP/2 it resets the stream.
        gateway.postStreaming("/v1/chat/completions", "{\"model\":\"fast\",\"stream\":true,\"messages\":[]}")
                .body().close();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (PrometheusText.value(scrape(), "llm_stream_outcomes_total", "outcome", "cancelled_by_client") < 1) {
            assertTrue(System.nanoTime() < deadline, "the cancelled stream was never counted");
            Thread.sleep(20);
        }
        clientGone.complete(null);
        assertEquals(0, PrometheusText.value(scrape(), "llm_requests_in_flight"));
    }

    @Test
    void upstreamFailuresAreCountedByErrorType() throws Exception {
        upstream.script(FakeUpstream.Reply::close);
        assertEquals(502, gateway.post("/v1/chat/completions", CHAT).statusCode());
        upstream.script(reply -> reply.full(429, "Too Many Requests", "application/json",
                Fixtures.bytes("openai/error-429-rate-limit.json")));
        assertEquals(429, gateway.post("/v1/chat/completions", CHAT).statusCode());
        String metrics = scrape();
        assertEquals(1, PrometheusText.value(metrics, "llm_errors_total", "error_type", "upstream_error"));
        assertEquals(1, PrometheusText.value(metrics, "llm_errors_total", "error_type", "upstream_http_429"));
        assertEquals(1, requests(metrics, "502"));
        assertEquals(1, requests(metrics, "429"));
    }

    @Test
    void gatewayRejectionsAreCountedWithoutAModel() throws Exception {
        HttpResponse<String> unauthorized = gateway.client().send(gateway.request("/v1/chat/completions")
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(CHAT)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, unauthorized.statusCode());
        String metrics = scrape();
        assertEquals(1, PrometheusText.value(metrics, "llm_requests_total", "api_key", "none", "model", "other",
                "status", "401"));
        assertEquals(1, PrometheusText.value(metrics, "llm_errors_total", "error_type", "missing_api_key"));
    }

    @Test
    void openMetricsIsServedWhenTheScraperAsksForIt() throws Exception {
        HttpResponse<String> response = gateway.client().send(gateway.request("/metrics")
                .header("accept", "application/openmetrics-text; version=1.0.0; charset=utf-8").GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertTrue(response.headers().firstValue("content-type").orElseThrow()
                .startsWith("application/openmetrics-text"));
        assertTrue(response.body().endsWith("# EOF\n"));
        assertTrue(response.body().contains("jvm_memory_bytes_used"));
        assertTrue(response.body().contains("netty_pooled_allocator_used_direct_bytes"));
    }

    @Test
    void poolGaugesShowTheKeptConnection() throws Exception {
        gateway.post("/v1/chat/completions", CHAT);
        String metrics = scrape();
        assertEquals(1, PrometheusText.value(metrics, "llm_upstream_connections", "provider", "up", "state", "open"));
        assertEquals(1, PrometheusText.value(metrics, "llm_upstream_connections", "provider", "up", "state", "idle"));
    }

    @Test
    void theAccessLogHasOneLinePerRequestWithEveryField() throws Exception {
        streamFixture(Fixtures.bytes("openai/chat-completion-stream.sse"));
        gateway.client().send(gateway.request("/v1/chat/completions")
                .header("authorization", "Bearer " + GatewayHarness.KEY)
                .header("content-type", "application/json")
                .header("x-request-id", "trace-1")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"fast\",\"stream\":true,\"messages\":[]}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        gateway.get("/health", null);

        String line = awaitLines(1).get(0);
        assertEquals("trace-1", JsonPath.read(line, "request_id"));
        assertEquals("tester", JsonPath.read(line, "api_key"));
        assertEquals("127.0.0.1", JsonPath.read(line, "client"));
        assertEquals("POST", JsonPath.read(line, "method"));
        assertEquals("/v1/chat/completions", JsonPath.read(line, "path"));
        assertEquals("fast", JsonPath.read(line, "model"));
        assertEquals("fast", JsonPath.read(line, "model_alias"));
        assertEquals("up", JsonPath.read(line, "provider"));
        assertEquals(UPSTREAM_MODEL, JsonPath.read(line, "upstream_model"));
        assertEquals("200", JsonPath.read(line, "status"));
        assertEquals("true", JsonPath.read(line, "stream"));
        assertTrue(Double.parseDouble(JsonPath.read(line, "ttft_ms")) > 0);
        assertTrue(Double.parseDouble(JsonPath.read(line, "duration_ms"))
                >= Double.parseDouble(JsonPath.read(line, "ttft_ms")));
        assertTrue(Long.parseLong(JsonPath.read(line, "overhead_us")) >= 0);
        assertEquals("24", JsonPath.read(line, "input_tokens"));
        assertEquals("8", JsonPath.read(line, "output_tokens"));
        assertEquals("0", JsonPath.read(line, "cached_input_tokens"));
        assertEquals("44", JsonPath.read(line, "bytes_in"));
        assertTrue(Long.parseLong(JsonPath.read(line, "bytes_out")) > 1000);
        assertEquals("1", JsonPath.read(line, "attempts"));
        assertEquals("completed", JsonPath.read(line, "outcome"));
        assertEquals("null", JsonPath.read(line, "error_type"));
        assertTrue(JsonPath.read(line, "time").endsWith("Z"));
        Thread.sleep(200);
        assertEquals(1, Files.readAllLines(accessLog).size(), "health checks are not logged");
    }

    private List<String> awaitLines(int count) throws Exception {
        return AccessLogFile.awaitLines(accessLog, count);
    }
}
