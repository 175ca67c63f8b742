package dev.llmgateway.server;

import dev.llmgateway.config.ConfigLoader;
import dev.llmgateway.config.GatewayConfig;
import dev.llmgateway.testutil.GatewayHarness;
import dev.llmgateway.testutil.OtlpReceiver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The startup warm-up on a real gateway: every request of its mix answers, /ready waits for it, nothing counts it. */
class WarmupTest {
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private static GatewayConfig config(String serverLines, Path accessLog) throws Exception {
        return config(serverLines, accessLog, "");
    }

    private static GatewayConfig config(String serverLines, Path accessLog, String moreTables) throws Exception {
        return ConfigLoader.parse("""
                [server]
                host = "127.0.0.1"
                port = 0
                io_threads = 2
                %s

                [[api_keys]]
                name = "tester"
                key = "%s"

                [providers.mock]
                type = "mock"
                token_delay = "0s"

                [models."demo"]
                provider = "mock"

                [access_log]
                enabled = true
                sink = "%s"
                format = "json"
                %s
                """.formatted(serverLines, GatewayHarness.KEY, accessLog, moreTables), "test.toml", Map.of());
    }

    private static HttpResponse<String> get(GatewayServer server, String path) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void everyRequestOfTheMixIsAnsweredBeforeReady(@TempDir Path dir) throws Exception {
        Path accessLog = dir.resolve("access.log");
        try (GatewayServer server = GatewayServer.start(config("warmup_requests = 48", accessLog), true)) {
            Warmup.Result result = server.warmup().get(30, TimeUnit.SECONDS);
            assertEquals(48, result.answered(), result.toString());
            assertEquals(0, result.failed(), result.toString());
            assertFalse(result.timedOut(), result.toString());
            assertEquals(200, get(server, "/ready").statusCode());
        }
    }

    /**
     * Two fifths of the mix (8 of its 20 calls) go over https to the warm-up's own TLS listener, on either engine,
     * half of them on HTTP/2 (negotiated by ALPN: the provider requires h2, so an answer proves it).
     */
    @ParameterizedTest
    @ValueSource(strings = {"auto", "jdk"})
    void twoFifthsOfTheMixCrossTlsToTheUpstreamHalfOfThemOnHttp2(String engine, @TempDir Path dir) throws Exception {
        try (GatewayServer server = GatewayServer.start(config("warmup_requests = 40\nwarmup_timeout = \"60s\"\n"
                + "tls_engine = \"" + engine + "\"", dir.resolve("a.log")), true)) {
            Warmup.Result result = server.warmup().get(60, TimeUnit.SECONDS);
            assertEquals(40, result.answered(), result.toString());
            assertEquals(16, result.answeredOverTls(), result.toString());
            assertEquals(8, result.answeredOverHttp2(), result.toString());
            assertEquals(0, result.failed(), result.toString());
        }
        try (Stream<Path> temporary = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            assertEquals(List.of(), temporary.filter(file -> file.getFileName().toString()
                    .startsWith("llm-gateway-warmup-")).toList(), "its CA file is deleted");
        }
    }

    @Test
    void readyWaitsForTheWarmupWhichStopsAtItsTimeoutAndIsNotCounted(@TempDir Path dir) throws Exception {
        Path accessLog = dir.resolve("access.log");
        try (GatewayServer server = GatewayServer.start(
                config("warmup_requests = 1000000\nwarmup_timeout = \"1500ms\"", accessLog), true)) {
            HttpResponse<String> warming = get(server, "/ready");
            assertEquals(503, warming.statusCode(), warming.body());
            assertEquals(200, get(server, "/health").statusCode(), "alive while warming up");

            Warmup.Result result = server.warmup().get(30, TimeUnit.SECONDS);
            assertTrue(result.timedOut(), result.toString());
            assertTrue(result.answered() > 0, result.toString());
            assertEquals(0, result.failed(), result.toString());
            assertEquals(200, get(server, "/ready").statusCode());

            String metrics = get(server, "/metrics").body();
            assertFalse(metrics.contains("llm_requests_total{"), "warm-up requests are not metrics: " + metrics);
            assertFalse(metrics.contains("provider=\"loopback_"), "nor are its providers' pools: " + metrics);
            Thread.sleep(300);
            assertEquals(0, Files.size(accessLog), "nor access-log lines: " + Files.readString(accessLog));
        }
    }

    @Test
    void withTracingOnTheWarmupIsTracedAndNoneOfItsSpansIsExported(@TempDir Path dir) throws Exception {
        try (OtlpReceiver collector = new OtlpReceiver()) {
            String traceId;
            try (GatewayServer server = GatewayServer.start(config("warmup_requests = 48\nwarmup_timeout = \"60s\"",
                    dir.resolve("a.log"),
                    "[tracing]\nenabled = true\nexport_delay = \"50ms\"\nendpoint = \"" + collector.endpoint()
                            + "\"\n"), true)) {
                Warmup.Result result = server.warmup().get(30, TimeUnit.SECONDS);
                assertEquals(48, result.answered(), "the traced path answers the whole mix: " + result);
                assertEquals(0, result.failed(), result.toString());

                HttpResponse<String> real = CLIENT.send(HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + server.port() + "/v1/chat/completions"))
                        .header("Authorization", "Bearer " + GatewayHarness.KEY)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(
                                "{\"model\":\"demo\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
                        .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, real.statusCode(), real.body());
                traceId = real.headers().firstValue("traceparent").orElseThrow().substring(3, 35);
            } // closing exports what is queued

            collector.awaitTrace(traceId, 2, Duration.ofSeconds(10));
            assertEquals(2, collector.spans().size(), "the real request's server and attempt spans, no warm-up's: "
                    + collector.spans());
        }
    }

    @Test
    void offMeansReadyAtOnce(@TempDir Path dir) throws Exception {
        try (GatewayServer server = GatewayServer.start(config("warmup_requests = 0", dir.resolve("a.log")), true)) {
            assertNull(server.warmup().getNow(null));
            assertTrue(server.warmup().isDone());
            assertEquals(200, get(server, "/ready").statusCode());
        }
    }
}
