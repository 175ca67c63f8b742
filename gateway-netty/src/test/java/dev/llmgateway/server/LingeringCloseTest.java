package dev.llmgateway.server;

import dev.llmgateway.testutil.GatewayHarness;
import dev.llmgateway.testutil.H2Client;
import dev.llmgateway.testutil.PrometheusText;
import dev.llmgateway.testutil.RawHttpClient;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A client that writes a large body while the gateway refuses it must read the refusal, every time: the gateway
 * half-closes and reads the rest away (a lingering close) instead of closing with unread bytes, which makes the
 * kernel answer with a reset that destroys the response before the client reads it (with a known key or not).
 * Tried with the JDK's client, a raw socket that writes everything before it reads, and Python's
 * {@code http.client} (what many SDK stacks sit on), ten times each. And the linger is bounded: a client that goes silent is closed after {@code lingering_timeout},
 * one that trickles bytes after {@code lingering_time} in all, one that floods after {@code max_lingering_bytes}.
 * HTTP/1.1 but for one bound tried on an HTTP/2 stream: a connection's half-close and TCP reset are HTTP/1.1's; a
 * refused HTTP/2 stream's linger is tried in the classes run over both protocols (ApiKeyAuthTest,
 * RequestValidationTest).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LingeringCloseTest {
    private static final int ROUNDS = 10;
    private static final int BODY_BYTES = 40_000_000;
    private static final byte[] BODY = body();
    private static final String TOO_LARGE = "POST /v1/chat/completions HTTP/1.1\r\nHost: g\r\nAuthorization: Bearer "
            + GatewayHarness.KEY + "\r\nContent-Type: application/json\r\nContent-Length: 100000000\r\n\r\n";
    private static final String NO_ACCESS_LOG = "[access_log]\nenabled = false\n";
    private static GatewayHarness gateway;
    /** Lingers briefly, to show each bound. */
    private static GatewayHarness tight;

    @BeforeAll
    static void start() throws Exception {
        gateway = GatewayHarness.start("max_request_bytes = \"1MiB\"", GatewayHarness.mockConfig(NO_ACCESS_LOG),
                Map.of());
        tight = GatewayHarness.start("""
                max_request_bytes = 1024
                lingering_time = "2s"
                lingering_timeout = "500ms"
                max_lingering_bytes = "1MiB"
                """, GatewayHarness.mockConfig(NO_ACCESS_LOG), Map.of());
    }

    @AfterAll
    static void stop() {
        gateway.close();
        tight.close();
    }

    @Test
    void theJdkClientReadsThe413EveryTime() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            HttpResponse<String> response = client.send(gateway.request("/v1/chat/completions")
                    .header("authorization", "Bearer " + GatewayHarness.KEY)
                    .header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(BODY)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(413, response.statusCode(), "round " + round + ": " + response.body());
            assertTrue(response.body().contains("request_too_large"), response.body());
            assertTrue(response.headers().firstValue("x-request-id").isPresent());
        }
    }

    @Test
    void aRawClientThatWritesEverythingFirstReadsItsRefusalEveryTime() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            RawHttpClient.Response response = writeAllThenRead(head("/v1/chat/completions", keyOfRound(round)));
            assertEquals(refusalOfRound(round), response.status(), "round " + round + ": " + response.body());
            assertEquals("close", response.headers().get("connection"));
        }
    }

    @Test
    void anAnthropicClientGetsThe413InItsShape() throws Exception {
        RawHttpClient.Response response = writeAllThenRead(head("/v1/messages", GatewayHarness.KEY));
        assertEquals(413, response.status(), response.body());
        assertTrue(response.body().contains("\"type\":\"error\""), response.body());
        assertTrue(response.headers().containsKey("request-id"), response.headers().toString());
    }

    @Test
    void pythonHttpClientReadsItsRefusalEveryTime() throws Exception {
        assumeTrue(python() != null, "python3 is not installed: the http.client part is not run");
        String script = """
                import http.client, sys
                body = b'x' * int(sys.argv[2])
                for round in range(int(sys.argv[3])):
                    conn = http.client.HTTPConnection('127.0.0.1', int(sys.argv[1]), timeout=20)
                    try:
                        conn.request('POST', '/v1/chat/completions', body=body, headers={
                            'Authorization': 'Bearer ' + sys.argv[4 + round % 2],
                            'Content-Type': 'application/json'})
                        response = conn.getresponse()
                        print(response.status, len(response.read()))
                    except Exception as e:
                        print('error', type(e).__name__, e)
                    finally:
                        conn.close()
                """;
        Process python = new ProcessBuilder(python(), "-c", script, Integer.toString(gateway.port()),
                Integer.toString(BODY_BYTES), Integer.toString(ROUNDS), keyOfRound(0), keyOfRound(1))
                .redirectErrorStream(true).start();
        assertTrue(python.waitFor(90, TimeUnit.SECONDS), "python finished");
        List<String> lines = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines()
                .toList();
        assertEquals(ROUNDS, lines.size(), String.join("\n", lines));
        for (int round = 0; round < ROUNDS; round++) {
            assertTrue(lines.get(round).startsWith(refusalOfRound(round) + " "),
                    "every round reads its refusal: " + String.join("\n", lines));
        }
    }

    /**
     * Every other round a key the gateway does not know: refused with 401 when its head arrives, before its body
     * is read (key-check-before-body), and that refusal too must reach the client still writing.
     */
    private static String keyOfRound(int round) {
        return round % 2 == 0 ? GatewayHarness.KEY : "not-a-key-of-this-gateway";
    }

    private static int refusalOfRound(int round) {
        return round % 2 == 0 ? 413 : 401;
    }

    @Test
    void anUnknownKeyIsRefusedBeforeItsBodyIsSent() throws Exception {
        try (RawHttpClient client = new RawHttpClient(gateway.port())) {
            // Only the head: a body that fits the limit is never sent, and the 401 comes all the same.
            RawHttpClient.Response response = client.send(head("/v1/chat/completions", "not-a-key-of-this-gateway")
                    .replace("Content-Length: " + BODY_BYTES, "Content-Length: 1000")).read();
            assertEquals(401, response.status(), response.body());
            assertTrue(response.body().contains("invalid_api_key"), response.body());
            assertEquals("close", response.headers().get("connection"));
        }
        try (RawHttpClient client = new RawHttpClient(gateway.port())) {
            RawHttpClient.Response response = client.send("POST /v1/messages HTTP/1.1\r\nHost: gateway\r\n"
                    + "anthropic-version: 2023-06-01\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n")
                    .read();
            assertEquals(401, response.status(), response.body());
            assertTrue(response.body().contains("\"type\":\"error\""), response.body());
        }
    }

    private static String head(String path, String key) {
        return "POST " + path + " HTTP/1.1\r\nHost: gateway\r\nAuthorization: Bearer " + key
                + "\r\nx-api-key: " + key + "\r\nanthropic-version: 2023-06-01\r\nContent-Type: application/json"
                + "\r\nContent-Length: " + BODY_BYTES + "\r\n\r\n";
    }

    /** Like a simple blocking client: the whole request first, then the response. */
    private static RawHttpClient.Response writeAllThenRead(String head) throws IOException {
        try (RawHttpClient client = new RawHttpClient(gateway.port())) {
            client.send(head).send(BODY);
            return client.read();
        }
    }

    private static String python() {
        for (String candidate : List.of("python3", "/usr/bin/python3", "/usr/local/bin/python3")) {
            try {
                Process probe = new ProcessBuilder(candidate, "-c", "pass").redirectErrorStream(true).start();
                if (probe.waitFor(10, TimeUnit.SECONDS) && probe.exitValue() == 0) {
                    return candidate;
                }
            } catch (IOException | InterruptedException notThere) {
                // try the next one
            }
        }
        return null;
    }

    private static byte[] body() {
        byte[] body = new byte[BODY_BYTES];
        Arrays.fill(body, (byte) 'x');
        return body;
    }

    @Test
    void aSilentClientIsClosedAfterTheLingeringTimeout() throws Exception {
        awaitNoneLingering();
        try (RawHttpClient client = new RawHttpClient(tight.port())) {
            assertEquals(413, client.send(TOO_LARGE).read().status());
            long answered = System.nanoTime();
            assertTrue(client.closedByServer(), "half-closed: the answer is whole");
            assertEquals(1, lingering(), "still reading what the client might send");
            awaitNoneLingering();
            long closedAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - answered);
            assertTrue(closedAfter >= 400, "held for lingering_timeout: " + closedAfter + " ms");
        }
    }

    @Test
    void aRefusedHttp2StreamWhoseClientGoesSilentIsResetAfterTheLingeringTimeout() throws Exception {
        try (H2Client client = H2Client.connect(tight.port())) {
            H2Client.Stream stream = client.open(tooLargeHttp2Head());
            assertEquals(413, stream.response().status(), "the answer is whole: its END_STREAM is the half-close");
            long answered = System.nanoTime();
            assertTrue(stream.channel().closeFuture().await(5, TimeUnit.SECONDS), "the stream was reset");
            long closedAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - answered);
            assertTrue(closedAfter >= 400, "held for lingering_timeout: " + closedAfter + " ms");
            assertEquals(200, client.get("/health", null).status(), "the connection serves on");
        }
    }

    @Test
    void aTricklingClientIsClosedAfterTheLingeringTime() throws Exception {
        try (RawHttpClient client = new RawHttpClient(tight.port())) {
            assertEquals(413, client.send(TOO_LARGE).read().status());
            long answered = System.nanoTime();
            long deadline = answered + TimeUnit.SECONDS.toNanos(10);
            boolean cut = false;
            while (!cut && System.nanoTime() < deadline) {
                Thread.sleep(100);
                cut = !write(client, new byte[] {'x'});
            }
            long cutAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - answered);
            assertTrue(cut, "a byte every 100 ms is never silent for 500 ms, yet the linger ends");
            assertTrue(cutAfter >= 1900 && cutAfter < 10_000, "after lingering_time: " + cutAfter + " ms");
        }
    }

    @Test
    void aFloodingClientIsClosedPastTheByteCap() throws Exception {
        long sent = 0;
        try (RawHttpClient client = new RawHttpClient(tight.port())) {
            assertEquals(413, client.send(TOO_LARGE).read().status());
            byte[] chunk = new byte[64 * 1024];
            while (sent < 256L << 20 && write(client, chunk)) {
                sent += chunk.length;
            }
        }
        // 1 MiB read away, plus what the two sockets' buffers held when the connection was closed
        assertTrue(sent < 32L << 20, "cut off after " + sent + " bytes");
        awaitNoneLingering();
    }

    @Test
    void aGracefulDrainDoesNotWaitForALingeringConnection() throws Exception {
        try (GatewayHarness draining = GatewayHarness.start("""
                max_request_bytes = 1024
                lingering_timeout = "20s"
                """, GatewayHarness.mockConfig(NO_ACCESS_LOG), Map.of());
             RawHttpClient client = new RawHttpClient(draining.port())) {
            assertEquals(413, client.send(TOO_LARGE).read().status());
            assertTrue(client.closedByServer(), "half-closed, lingering");
            long start = System.nanoTime();
            assertTrue(draining.drain(Duration.ofSeconds(10)), "drained without waiting for lingering_timeout");
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10));
        }
    }

    @Test
    void stoppingTheGatewayDoesNotWaitForALingeringConnection() throws Exception {
        GatewayHarness stopping = GatewayHarness.start("""
                max_request_bytes = 1024
                lingering_timeout = "20s"
                """, GatewayHarness.mockConfig(NO_ACCESS_LOG), Map.of());
        try (RawHttpClient client = new RawHttpClient(stopping.port())) {
            assertEquals(413, client.send(TOO_LARGE).read().status());
            assertTrue(client.closedByServer(), "half-closed, lingering");
            long start = System.nanoTime();
            stopping.close();
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(tookMillis < 1500, "the stop ended the linger at once, not after its wait: " + tookMillis
                    + " ms");
        }
    }

    @Test
    void stoppingTheGatewayDoesNotWaitForAnHttp2StreamRefusedBeforeItsBody() throws Exception {
        GatewayHarness stopping = GatewayHarness.start("""
                max_request_bytes = 1024
                lingering_timeout = "20s"
                """, GatewayHarness.mockConfig(NO_ACCESS_LOG), Map.of());
        try (H2Client client = H2Client.connect(stopping.port())) {
            io.netty.handler.codec.http.HttpRequest head = new io.netty.handler.codec.http.DefaultHttpRequest(
                    io.netty.handler.codec.http.HttpVersion.HTTP_1_1, io.netty.handler.codec.http.HttpMethod.POST,
                    "/v1/chat/completions");
            head.headers().set("authorization", "Bearer " + GatewayHarness.KEY)
                    .set("content-type", "application/json").set("content-length", 100_000_000);
            H2Client.Stream refused = client.open(head); // the body never comes
            assertEquals(413, refused.head().status().code());
            long start = System.nanoTime();
            stopping.close();
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(tookMillis < 1500, "the stop ended the stream at once, not after its wait: " + tookMillis
                    + " ms");
        }
    }

    @Test
    void aGracefulDrainDoesNotWaitForALingeringHttp2Stream() throws Exception {
        try (GatewayHarness draining = GatewayHarness.start("""
                max_request_bytes = 1024
                lingering_timeout = "20s"
                """, GatewayHarness.mockConfig(NO_ACCESS_LOG), Map.of());
             H2Client client = H2Client.connect(draining.port())) {
            assertEquals(413, client.open(tooLargeHttp2Head()).response().status());
            long start = System.nanoTime();
            assertTrue(draining.drain(Duration.ofSeconds(10)), "drained without waiting for lingering_timeout");
            long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(took < 5000, "drained after " + took + " ms");
        }
    }

    /** A request head whose Content-Length is over the limits here, its body never sent. */
    private static DefaultHttpRequest tooLargeHttp2Head() {
        DefaultHttpRequest head = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/v1/chat/completions");
        head.headers().set(HttpHeaderNames.HOST, "g")
                .set(HttpHeaderNames.AUTHORIZATION, "Bearer " + GatewayHarness.KEY)
                .set(HttpHeaderNames.CONTENT_TYPE, "application/json")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, 100_000);
        return head;
    }

    private static boolean write(RawHttpClient client, byte[] bytes) {
        try {
            client.send(bytes);
            return true;
        } catch (IOException closed) {
            return false;
        }
    }

    /** Open client connections but the scrape's own. */
    private static int lingering() throws IOException {
        try (RawHttpClient scrape = new RawHttpClient(tight.port())) {
            String metrics = scrape.send("GET /metrics HTTP/1.1\r\nHost: g\r\n\r\n").read().body();
            return (int) PrometheusText.value(metrics, "llm_connections_open") - 1;
        }
    }

    private static void awaitNoneLingering() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (lingering() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertEquals(0, lingering(), "the lingering connection was closed");
    }
}
