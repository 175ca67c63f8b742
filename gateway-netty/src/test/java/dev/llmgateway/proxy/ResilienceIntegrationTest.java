package dev.llmgateway.proxy;

import dev.llmgateway.testutil.FakeUpstream;
import dev.llmgateway.testutil.FakeUpstream.Protocol;
import dev.llmgateway.testutil.Fixtures;
import dev.llmgateway.testutil.GatewayHarness;
import dev.llmgateway.testutil.JsonPath;
import dev.llmgateway.testutil.PrometheusText;
import dev.llmgateway.testutil.RawHttpClient;
import dev.llmgateway.server.WarningRecorder;
import io.netty.handler.codec.http2.Http2Error;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Faults before and after the response head, against a scripted provider on loopback: retries, timeouts, key
 * rest, cancellation. Each test bounds its own time; the leak extension checks that nothing held back leaked.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class ResilienceIntegrationTest {
    private static final String CHAT = "{\"model\":\"fast\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static final String STREAM_CHAT = "{\"model\":\"fast\",\"stream\":true,"
            + "\"stream_options\":{\"include_usage\":true},\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static final String EVENT = "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"fast\","
            + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x\"}}]}\n\n";
    private static final String SSE = "text/event-stream";

    private final AtomicInteger calls = new AtomicInteger();
    private FakeUpstream upstream;
    private GatewayHarness gateway;

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        upstream.close();
    }

    private void start(Protocol protocol, FakeUpstream.Script script, String keys, String providerLines)
            throws Exception {
        upstream = new FakeUpstream(protocol, reply -> {
            calls.incrementAndGet();
            script.answer(reply);
        });
        gateway = GatewayHarness.start("""
                [[api_keys]]
                name = "tester"
                key = "%s"

                [providers.up]
                type = "openai_compatible"
                base_url = "%s"
                api_keys = [%s]
                %s
                %s

                [models."fast"]
                provider = "up"
                """.formatted(GatewayHarness.KEY, upstream.baseUrl(), keys, protocol.providerLine(), providerLines));
    }

    private void start(Protocol protocol, FakeUpstream.Script script, String providerLines) throws Exception {
        start(protocol, script, "\"sk-one\"", providerLines);
    }

    private static void ok(FakeUpstream.Reply reply) {
        reply.full(200, "OK", "application/json", Fixtures.bytes("openai/chat-completion.json"));
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void rateLimitWithRetryAfterIsWaitedOutThenRetried(Protocol protocol) throws Exception {
        start(protocol, reply -> {
            if (calls.get() == 1) {
                reply.full(429, "Too Many Requests", "application/json",
                        Fixtures.bytes("openai/error-429-rate-limit.json"), "retry-after", "1");
            } else {
                ok(reply);
            }
        }, "");

        long startNanos = System.nanoTime();
        HttpResponse<String> response = gateway.post("/v1/chat/completions", CHAT);
        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);

        assertEquals(200, response.statusCode());
        assertEquals("2", response.headers().firstValue("x-gateway-attempts").orElseThrow());
        assertEquals(2, upstream.received().size());
        assertTrue(elapsedMillis >= 950, "waited " + elapsedMillis + " ms");
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void lastRetryableAnswerIsPassedThroughWhenAttemptsRunOut(Protocol protocol) throws Exception {
        start(protocol, reply -> reply.full(503, "Service Unavailable", "application/json",
                Fixtures.bytes("openai/error-503-overloaded.json")), "max_attempts = 2");

        HttpResponse<String> response = gateway.post("/v1/chat/completions", CHAT);

        assertEquals(503, response.statusCode());
        assertEquals(Fixtures.text("openai/error-503-overloaded.json"), response.body());
        assertEquals("2", response.headers().firstValue("x-gateway-attempts").orElseThrow());
        assertEquals(2, upstream.received().size());
        assertEquals(1, upstream.connectionsAccepted(), "the retried answer was read whole and its connection reused");
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void aModelOverridesTheProvidersAttempts(Protocol protocol) throws Exception {
        start(protocol, reply -> reply.full(503, "Service Unavailable", "application/json",
                Fixtures.bytes("openai/error-503-overloaded.json")), "max_attempts = 3\n[models.\"once\"]\n"
                + "provider = \"up\"\nmax_attempts = 1");

        HttpResponse<String> once = gateway.post("/v1/chat/completions", CHAT.replace("fast", "once"));
        assertEquals(503, once.statusCode());
        assertEquals(1, upstream.received().size());

        assertEquals(503, gateway.post("/v1/chat/completions", CHAT).statusCode());
        assertEquals(4, upstream.received().size(), "the provider's 3 attempts for the other model");
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void bodyStalledBeforeAnythingReachedTheClientGivesGatewayTimeout(Protocol protocol) throws Exception {
        start(protocol, reply -> {
            reply.head(200, "OK", false, "content-type", "application/json", "content-length", "1000")
                    .raw("{\"id\":".getBytes(StandardCharsets.UTF_8));
            Thread.sleep(10_000);
        }, "idle_timeout = \"300ms\"\nmax_attempts = 1");

        HttpResponse<String> response = gateway.post("/v1/chat/completions", CHAT);

        assertEquals(504, response.statusCode());
        assertEquals("upstream_timeout", JsonPath.read(response.body(), "error", "code"));
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void insufficientQuotaIsPassedThroughWithoutRetry(Protocol protocol) throws Exception {
        start(protocol, reply -> reply.full(429, "Too Many Requests", "application/json",
                Fixtures.bytes("openai/error-429-insufficient-quota.json")), "max_attempts = 3");

        HttpResponse<String> response = gateway.post("/v1/chat/completions", CHAT);

        assertEquals(429, response.statusCode());
        assertEquals("insufficient_quota", JsonPath.read(response.body(), "error", "code"));
        assertEquals("1", response.headers().firstValue("x-gateway-attempts").orElseThrow());
        assertEquals(1, upstream.received().size());
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void stallBeforeTheHeadTimesOutAndIsRetried(Protocol protocol) throws Exception {
        start(protocol, reply -> {
            if (calls.get() == 1) {
                Thread.sleep(10_000);
            }
            ok(reply);
        }, "first_byte_timeout = \"300ms\"");

        HttpResponse<String> response = gateway.post("/v1/chat/completions", CHAT);

        assertEquals(200, response.statusCode());
        assertEquals("2", response.headers().firstValue("x-gateway-attempts").orElseThrow());
        assertEquals(2, upstream.received().size());
        if (protocol == Protocol.HTTP_2) {
            assertEquals(1, upstream.connectionsAccepted(), "the retry is a new stream on the same connection");
            assertEquals(1, upstream.resets().size(), "the timed-out stream is reset");
        } else {
            assertEquals(2, upstream.connectionsAccepted(), "the timed-out connection is not reused");
        }
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void everyAttemptStallingGivesGatewayTimeout(Protocol protocol) throws Exception {
        start(protocol, reply -> Thread.sleep(10_000), "first_byte_timeout = \"200ms\"\nmax_attempts = 3");

        HttpResponse<String> response = gateway.post("/v1/chat/completions", CHAT);

        assertEquals(504, response.statusCode());
        assertEquals("upstream_timeout", JsonPath.read(response.body(), "error", "code"));
        assertEquals("server_error", JsonPath.read(response.body(), "error", "type"));
        assertEquals("3", response.headers().firstValue("x-gateway-attempts").orElseThrow());
        assertEquals(3, upstream.received().size());
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void stallMidStreamEndsWithAnErrorEventAndNoDone(Protocol protocol) throws Exception {
        start(protocol, reply -> {
            reply.head(200, "OK", true, "content-type", SSE).body(EVENT);
            Thread.sleep(10_000);
        }, "idle_timeout = \"500ms\"");

        HttpResponse<InputStream> response = gateway.postStreaming("/v1/chat/completions", STREAM_CHAT);
        List<String> data = dataLines(response.body());

        assertEquals(200, response.statusCode());
        assertEquals(2, data.size(), data.toString());
        assertTrue(data.get(0).contains("\"content\":\"x\""));
        assertTrue(data.get(1).contains("upstream_timeout"), data.get(1));
        assertFalse(data.contains("data: [DONE]"));
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void connectionCutMidStreamEndsWithAnErrorEventAndNoDone(Protocol protocol) throws Exception {
        start(protocol, reply -> {
            reply.head(200, "OK", true, "content-type", SSE).body(EVENT);
            Thread.sleep(100);
            reply.close();
        }, "");

        HttpResponse<InputStream> response = gateway.postStreaming("/v1/chat/completions", STREAM_CHAT);
        List<String> data = dataLines(response.body());

        assertEquals(200, response.statusCode());
        assertEquals(2, data.size(), data.toString());
        assertTrue(data.get(1).contains("upstream_error"), data.get(1));
        assertFalse(data.contains("data: [DONE]"));
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void connectionCutBeforeTheHeadIsRetried(Protocol protocol) throws Exception {
        start(protocol, reply -> {
            if (calls.get() == 1) {
                reply.close();
            } else {
                ok(reply);
            }
        }, "");

        HttpResponse<String> response = gateway.post("/v1/chat/completions", CHAT);

        assertEquals(200, response.statusCode(), response.body());
        assertEquals("2", response.headers().firstValue("x-gateway-attempts").orElseThrow());
        assertEquals(2, upstream.connectionsAccepted(), "the retry on a new connection");
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void slowTrickleLongerThanEveryTimeoutCompletes(Protocol protocol) throws Exception {
        start(protocol, reply -> {
            reply.head(200, "OK", true, "content-type", SSE);
            for (int i = 0; i < 14; i++) {
                Thread.sleep(300);
                reply.body(EVENT);
            }
            reply.body("data: [DONE]\n\n").end();
        }, "first_byte_timeout = \"1s\"\nidle_timeout = \"1s\"");

        HttpResponse<InputStream> response = gateway.postStreaming("/v1/chat/completions", STREAM_CHAT);
        List<String> data = dataLines(response.body());

        assertEquals(200, response.statusCode());
        assertEquals(15, data.size());
        assertEquals("data: [DONE]", data.get(14));
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void totalTimeoutCutsAStreamThatIsStillFlowing(Protocol protocol) throws Exception {
        start(protocol, reply -> {
            reply.head(200, "OK", true, "content-type", SSE);
            while (reply.isOpen()) {
                reply.body(EVENT);
                Thread.sleep(100);
            }
        }, "total_timeout = \"1s\"");

        long startNanos = System.nanoTime();
        HttpResponse<InputStream> response = gateway.postStreaming("/v1/chat/completions", STREAM_CHAT);
        List<String> data = dataLines(response.body());
        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);

        assertTrue(data.size() > 3, data.toString());
        assertTrue(data.get(data.size() - 1).contains("total_timeout"), data.get(data.size() - 1));
        assertTrue(elapsedMillis >= 950 && elapsedMillis < 3000, elapsedMillis + " ms");
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void whenEveryKeyRestsTheClientGets429WithRetryAfterAndTheProviderIsNotCalled(Protocol protocol) throws Exception {
        start(protocol, reply -> reply.full(429, "Too Many Requests", "application/json",
                Fixtures.bytes("openai/error-429-rate-limit.json"), "retry-after", "30"), "\"sk-a\", \"sk-b\"", "");

        HttpResponse<String> first = gateway.post("/v1/chat/completions", CHAT);
        assertEquals(429, first.statusCode());
        assertEquals(2, upstream.received().size(), "the second key is tried at once");
        assertEquals("2", first.headers().firstValue("x-gateway-attempts").orElseThrow());

        HttpResponse<String> second = gateway.post("/v1/chat/completions", CHAT);

        assertEquals(429, second.statusCode());
        assertEquals("rate_limit_exceeded", JsonPath.read(second.body(), "error", "code"));
        assertEquals("requests", JsonPath.read(second.body(), "error", "type"));
        long retryAfter = Long.parseLong(second.headers().firstValue("retry-after").orElseThrow());
        assertTrue(retryAfter >= 29 && retryAfter <= 30, "retry-after " + retryAfter);
        assertEquals(2, upstream.received().size());
        String metrics = gateway.get("/metrics", null).body();
        for (String index : List.of("0", "1")) {
            assertEquals(1, PrometheusText.value(metrics, "llm_upstream_key_cooldowns_total", "provider", "up",
                    "key_index", index, "reason", "rate_limited"));
        }
        assertEquals(1, PrometheusText.value(metrics, "llm_retries_total", "provider", "up"));
        assertFalse(metrics.contains("sk-a"), "metrics never show a key");
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void keyAnswered401RestsAndTheNextRequestsUseTheOtherKey(Protocol protocol) throws Exception {
        start(protocol, reply -> {
            if ("Bearer sk-a".equals(reply.request().headers().get("authorization"))) {
                reply.full(401, "Unauthorized", "application/json",
                        Fixtures.bytes("openai/error-401-invalid-api-key.json"));
            } else {
                ok(reply);
            }
        }, "\"sk-a\", \"sk-b\"", "");

        HttpResponse<String> first = gateway.post("/v1/chat/completions", CHAT);
        assertEquals(200, first.statusCode(), "the other key is tried at once: " + first.body());
        assertEquals(200, gateway.post("/v1/chat/completions", CHAT).statusCode());
        assertEquals(200, gateway.post("/v1/chat/completions", CHAT).statusCode());

        List<String> used = upstream.received().stream().map(r -> r.headers().get("authorization")).toList();
        assertEquals(List.of("Bearer sk-a", "Bearer sk-b", "Bearer sk-b", "Bearer sk-b"), used);
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void theOnlyKeyRejectedIsTheGatewaysFailureNotARateLimitAndRestsOnlyKeyRejectedCooldown(Protocol protocol) throws Exception {
        AtomicInteger rejecting = new AtomicInteger(1);
        try (WarningRecorder warnings = WarningRecorder.on(Retries.class.getName())) {
            start(protocol, reply -> {
                if (rejecting.get() == 1) {
                    reply.full(401, "Unauthorized", "application/json",
                            Fixtures.bytes("openai/error-401-invalid-api-key.json"));
                } else {
                    ok(reply);
                }
            }, "key_rejected_cooldown = \"700ms\"");

            HttpResponse<String> rejected = gateway.post("/v1/chat/completions", CHAT);
            assertEquals(502, rejected.statusCode(), rejected.body());
            assertEquals("upstream_credentials_rejected", JsonPath.read(rejected.body(), "error", "code"));
            assertTrue(JsonPath.read(rejected.body(), "error", "message")
                    .contains("rejected the gateway's credentials"), rejected.body());
            assertFalse(rejected.body().contains("sk-"), "never the provider's own message about its key");
            assertTrue(rejected.headers().firstValue("retry-after").isEmpty());

            HttpResponse<String> resting = gateway.post("/v1/chat/completions", CHAT);
            assertEquals(503, resting.statusCode(), resting.body());
            assertEquals("upstream_credentials_rejected", JsonPath.read(resting.body(), "error", "code"));
            assertTrue(resting.headers().firstValue("retry-after").isEmpty());
            assertEquals(1, upstream.received().size(), "a resting key is not sent");

            String metrics = gateway.get("/metrics", null).body();
            assertEquals(1, PrometheusText.value(metrics, "llm_upstream_key_rejected_total", "provider", "up"));
            assertEquals(1, PrometheusText.value(metrics, "llm_upstream_key_cooldowns_total", "provider", "up",
                    "key_index", "0", "reason", "auth_failed"));
            List<String> said = warnings.messages();
            assertEquals(1, said.size(), said.toString());
            assertTrue(said.get(0).contains("provider 'up' rejected api_keys[0] (HTTP 401)"), said.toString());

            rejecting.set(0); // the operator fixed the key upstream; it is tried again after its short rest
            Thread.sleep(750);
            assertEquals(200, gateway.post("/v1/chat/completions", CHAT).statusCode());
        }
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void clientLeavingAtTheFirstEventStopsTheUpstreamAtOnce(Protocol protocol) throws Exception {
        start(protocol, reply -> {
            reply.head(200, "OK", true, "content-type", SSE).body(EVENT);
            while (reply.isOpen()) {
                Thread.sleep(50);
            }
        }, "");

        long closedAfterNanos;
        try (Socket socket = new Socket("127.0.0.1", gateway.port())) {
            socket.getOutputStream().write(RawHttpClient.post("/v1/chat/completions", GatewayHarness.KEY, STREAM_CHAT)
                    .getBytes(StandardCharsets.UTF_8));
            BufferedReader reader = new BufferedReader(
                    new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            String line;
            do {
                line = reader.readLine();
            } while (line != null && !line.startsWith("data:"));
            assertTrue(line != null, "the first event arrived");
            socket.close();
            long closedNanos = System.nanoTime();
            while (stopped(protocol) == 0 && System.nanoTime() - closedNanos < 2_000_000_000L) {
                Thread.onSpinWait();
            }
            // h2: the time the provider read the RST_STREAM, not when this thread saw it
            long stoppedNanos = protocol == Protocol.HTTP_2 && !upstream.resets().isEmpty()
                    ? upstream.resets().get(0).atNanos() : System.nanoTime();
            closedAfterNanos = stoppedNanos - closedNanos;
        }

        System.out.printf("cancellation (%s): upstream %s %.2f ms after the client left%n", protocol,
                protocol == Protocol.HTTP_2 ? "stream reset" : "connection closed", closedAfterNanos / 1e6);
        assertEquals(1, stopped(protocol));
        if (protocol == Protocol.HTTP_2) {
            assertEquals(Http2Error.CANCEL.code(), upstream.resets().get(0).errorCode());
            assertEquals(0, upstream.connectionsClosed(), "only the stream is reset, the connection stays");
        }
        // "at once": far below any timeout that would otherwise end it; generous for a loaded CI machine
        assertTrue(closedAfterNanos < 250_000_000L, "stopped after " + closedAfterNanos / 1_000_000 + " ms");
    }

    /** How many times the gateway stopped the provider: connections closed (HTTP/1.1) or streams reset (h2c). */
    private int stopped(Protocol protocol) {
        return protocol == Protocol.HTTP_2 ? upstream.resets().size() : upstream.connectionsClosed();
    }

    /** The stream's {@code data:} lines until the gateway ends it. */
    private static List<String> dataLines(InputStream body) throws Exception {
        List<String> lines = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.startsWith("data:")) {
                    lines.add(line);
                }
            }
        }
        return lines;
    }
}
