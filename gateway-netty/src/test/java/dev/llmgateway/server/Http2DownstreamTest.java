package dev.llmgateway.server;

import dev.llmgateway.testutil.FakeUpstream;
import dev.llmgateway.testutil.Fixtures;
import dev.llmgateway.testutil.GatewayHarness;
import dev.llmgateway.testutil.H2Client;
import dev.llmgateway.testutil.JsonPath;
import dev.llmgateway.testutil.RawHttpClient;
import dev.llmgateway.testutil.TestCertificates;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * HTTP/2 from the client side over h2c (prior knowledge, the way a balancer speaks to its backends): every stream
 * runs the request pipeline an HTTP/1.1 request runs, and what is the connection's on HTTP/1.1 (close after a
 * refusal, drain, a stalled client) is the stream's or the connection's here as HTTP/2 means it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class Http2DownstreamTest {
    private static final String CHAT = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static final String STREAM_CHAT =
            "{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static final String FIRST_EVENT = "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\","
            + "\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"}}]}\n\n";
    /** A 16 KiB event: few events per byte, so the test measures flow control rather than event handling. */
    private static final String BIG_EVENT = FIRST_EVENT.replace("hi", "a".repeat(16 * 1024 - FIRST_EVENT.length()));
    private static final String NO_LOG = """

            [access_log]
            enabled = false
            """;

    @Test
    void chatAnswersOnAStreamWithoutHopByHopHeaders() throws Exception {
        try (FakeUpstream upstream = new FakeUpstream(FakeUpstream.json("openai/chat-completion.json"));
             GatewayHarness gateway = GatewayHarness.start(GatewayHarness.routedTo(upstream.baseUrl(), NO_LOG));
             H2Client client = H2Client.connect(gateway.port())) {
            H2Client.Response response = client.post("/v1/chat/completions", CHAT);

            assertEquals(200, response.status(), response.body());
            assertFalse(response.reset());
            assertEquals("m", JsonPath.read(response.body(), "model"));
            assertNotNull(response.header("x-request-id"));
            for (String hopByHop : List.of("connection", "keep-alive", "transfer-encoding")) {
                assertFalse(response.wireHeaders().contains(hopByHop), hopByHop);
            }
            assertNull(upstream.last().headers().get("x-http2-stream-id"), "Netty's own header stays inside");
            assertEquals(128L, client.connection().pipeline().get(Http2FrameCodec.class).connection().local()
                    .maxActiveStreams(), "SETTINGS_MAX_CONCURRENT_STREAMS as the server advertised it");
        }
    }

    /**
     * A header list over {@code max_header_bytes} is refused like HTTP/1.1's: 431 in the shape of the endpoint its
     * path names, with a request id, counted as a refusal; it ends its stream, not the connection.
     */
    @Test
    void aHeaderListOverTheLimitIs431InTheClientsShapeOnItsStream() throws Exception {
        try (GatewayHarness gateway = GatewayHarness.start("max_header_bytes = 2048",
                GatewayHarness.mockConfig(NO_LOG), java.util.Map.of());
             H2Client client = H2Client.connect(gateway.port())) {
            HttpRequest tooLarge = H2Client.post("/v1/messages", GatewayHarness.KEY, CHAT);
            tooLarge.headers().set("x-padding", "p".repeat(3000));

            H2Client.Response refused = client.send(tooLarge, true).response();

            assertEquals(431, refused.status(), refused.body());
            assertEquals("error", JsonPath.read(refused.body(), "type"), "Anthropic's shape: " + refused.body());
            assertNotNull(refused.header("x-request-id"));
            String metrics = gateway.get("/metrics", null).body();
            assertEquals(1.0, dev.llmgateway.testutil.PrometheusText.value(metrics, "llm_requests_total",
                    "endpoint", "messages", "status", "431"), metrics);
            assertTrue(client.connection().isActive(), "a refusal ends its stream, not the connection");
            assertEquals(200, client.get("/health", null).status());
        }
    }

    /** HEAD is answered with GET's headers, content-length included, and no DATA: the HEADERS frame ends it. */
    @Test
    void aHeadRequestIsAnsweredWithoutContent() throws Exception {
        try (GatewayHarness gateway = GatewayHarness.start(GatewayHarness.mockConfig(NO_LOG));
             H2Client client = H2Client.connect(gateway.port())) {
            H2Client.Response get = client.get("/health", null);
            HttpRequest head = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.HEAD, "/health",
                    Unpooled.EMPTY_BUFFER);
            head.headers().set(HttpHeaderNames.HOST, "127.0.0.1");
            H2Client.Response response = client.send(head, true).response();

            assertEquals(200, response.status());
            assertFalse(response.reset());
            assertEquals("", response.body());
            assertEquals(get.header(HttpHeaderNames.CONTENT_LENGTH), response.header(HttpHeaderNames.CONTENT_LENGTH));
            assertEquals(200, client.get("/health", null).status(), "the connection serves on");
        }
    }

    @Test
    void aStreamedChatArrivesAsDataFramesWhileTheProviderSends() throws Exception {
        String text = new String(Fixtures.bytes("openai/chat-completion-stream.sse"), StandardCharsets.UTF_8);
        int firstEventEnd = text.indexOf("\n\n") + 2;
        CompletableFuture<Void> clientSawFirstEvent = new CompletableFuture<>();
        try (FakeUpstream upstream = new FakeUpstream(reply -> {
            reply.head(200, "OK", true, "content-type", "text/event-stream");
            reply.body(text.substring(0, firstEventEnd));
            clientSawFirstEvent.get(10, TimeUnit.SECONDS);
            reply.body(text.substring(firstEventEnd));
            reply.end();
        });
             GatewayHarness gateway = GatewayHarness.start(GatewayHarness.routedTo(upstream.baseUrl(), NO_LOG));
             H2Client client = H2Client.connect(gateway.port())) {
            H2Client.Stream stream = client.send(H2Client.post("/v1/chat/completions", GatewayHarness.KEY,
                    STREAM_CHAT), true);
            assertEquals(200, stream.head().status().code());
            waitFor(() -> String.join("", stream.chunks()).contains("\n\n"), "the first event");
            clientSawFirstEvent.complete(null);

            H2Client.Response response = stream.response();
            assertFalse(response.reset());
            assertTrue(response.body().endsWith("data: [DONE]\n\n"), response.body());
            assertFalse(response.wireHeaders().contains("transfer-encoding"));
        }
    }

    @Test
    void anthropicMessagesStreamOnAStream() throws Exception {
        try (GatewayHarness gateway = GatewayHarness.start(GatewayHarness.mockConfig(NO_LOG));
             H2Client client = H2Client.connect(gateway.port())) {
            H2Client.Response response = client.post("/v1/messages",
                    "{\"model\":\"m\",\"max_tokens\":16,\"stream\":true,"
                            + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

            assertEquals(200, response.status(), response.body());
            assertTrue(response.body().startsWith("event: message_start"), response.body());
            assertTrue(response.body().contains("event: message_stop"), response.body());
            assertFalse(response.reset());
        }
    }

    @Test
    void errorsComeInTheClientsShapeAndEndOnlyTheirStream() throws Exception {
        try (GatewayHarness gateway = GatewayHarness.start("max_request_bytes = 2048", GatewayHarness.mockConfig("""
                [[api_keys]]
                name = "once"
                key = "once-key-0123456789"
                requests_per_minute = 1
                """ + NO_LOG), java.util.Map.of());
             H2Client client = H2Client.connect(gateway.port())) {
            H2Client.Response missingKey = client.send(H2Client.post("/v1/chat/completions", null, CHAT), true)
                    .response();
            assertEquals(401, missingKey.status());
            assertEquals("missing_api_key", JsonPath.read(missingKey.body(), "error", "code"));

            H2Client.Response anthropic = client.send(H2Client.post("/v1/messages", null, CHAT), true).response();
            assertEquals(401, anthropic.status());
            assertEquals("authentication_error", JsonPath.read(anthropic.body(), "error", "type"));

            assertEquals(404, client.get("/v1/nothing", GatewayHarness.KEY).status());

            H2Client.Response tooLarge = client.post("/v1/chat/completions",
                    "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"" + "x".repeat(4096) + "\"}]}");
            assertEquals(413, tooLarge.status());
            assertFalse(tooLarge.wireHeaders().contains("connection"), "no Connection: close on a stream");
            assertEquals("request_too_large", JsonPath.read(tooLarge.body(), "error", "code"));

            assertEquals(200, client.send(H2Client.post("/v1/chat/completions", "once-key-0123456789", CHAT), true)
                    .response().status());
            H2Client.Response limited = client.send(H2Client.post("/v1/chat/completions", "once-key-0123456789",
                    CHAT), true).response();
            assertEquals(429, limited.status());
            assertNotNull(limited.header("retry-after"));

            assertTrue(client.connection().isActive(), "a refusal ends its stream, not the connection");
            assertEquals(200, client.post("/v1/chat/completions", CHAT).status());
            assertTrue(client.goAways().isEmpty());
        }
    }

    @Test
    void manyStreamsRunAtOnceOnOneConnection() throws Exception {
        try (GatewayHarness gateway = GatewayHarness.start(GatewayHarness.mockConfig(NO_LOG));
             H2Client client = H2Client.connect(gateway.port())) {
            List<H2Client.Stream> streams = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                streams.add(client.send(H2Client.post("/v1/chat/completions", GatewayHarness.KEY, STREAM_CHAT),
                        true));
            }
            for (H2Client.Stream stream : streams) {
                H2Client.Response response = stream.response();
                assertEquals(200, response.status());
                assertTrue(response.body().endsWith("data: [DONE]\n\n"), response.body());
            }
        }
    }

    @Test
    void aCancelledStreamFreesItsUpstreamAndLeavesTheConnection() throws Exception {
        CompletableFuture<Void> upstreamClosed = new CompletableFuture<>();
        try (FakeUpstream upstream = new FakeUpstream(reply -> {
            reply.channel().closeFuture().addListener(closed -> upstreamClosed.complete(null));
            reply.head(200, "OK", true, "content-type", "text/event-stream");
            reply.body(FIRST_EVENT);
        });
             GatewayHarness gateway = GatewayHarness.start(GatewayHarness.routedTo(upstream.baseUrl(), NO_LOG));
             H2Client client = H2Client.connect(gateway.port())) {
            H2Client.Stream stream = client.send(H2Client.post("/v1/chat/completions", GatewayHarness.KEY,
                    STREAM_CHAT), true);
            waitFor(() -> String.join("", stream.chunks()).contains("\n\n"), "the first event");

            long resetAt = System.nanoTime();
            stream.reset();
            upstreamClosed.get(5, TimeUnit.SECONDS);
            System.out.printf("h2 cancel: upstream closed %.1f ms after the RST_STREAM%n",
                    (System.nanoTime() - resetAt) / 1e6);

            assertTrue(client.connection().isActive(), "the reset ended the stream, not the connection");
            upstream.script(FakeUpstream.json("openai/chat-completion.json"));
            assertEquals(200, client.post("/v1/chat/completions", CHAT).status());
        }
    }

    @Test
    void aStreamTheClientDoesNotReadStopsTheProviderThenArrivesWhole() throws Exception {
        byte[] batch = (BIG_EVENT.repeat(8)).getBytes(StandardCharsets.US_ASCII);
        long total = 64L << 20;
        AtomicLong providerSent = new AtomicLong();
        try (FakeUpstream upstream = new FakeUpstream(reply -> {
            reply.head(200, "OK", true, "content-type", "text/event-stream");
            while (providerSent.get() < total) {
                reply.body(batch);
                providerSent.addAndGet(batch.length);
            }
            reply.body("data: [DONE]\n\n");
            reply.end();
        });
             GatewayHarness gateway = GatewayHarness.start(GatewayHarness.routedTo(upstream.baseUrl(), NO_LOG));
             H2Client client = H2Client.connect(gateway.port())) {
            H2Client.Stream stream = client.send(H2Client.post("/v1/chat/completions", GatewayHarness.KEY,
                    STREAM_CHAT), false, false);
            Thread.sleep(2000);
            long sentWhileStalled = providerSent.get();
            assertTrue(sentWhileStalled < total / 4, "the provider was stopped after " + sentWhileStalled
                    + " bytes, not allowed to stream everything into the gateway");

            stream.resumeReading();
            H2Client.Response response = stream.response();
            assertFalse(response.reset());
            assertTrue(stream.tail().endsWith("data: [DONE]\n\n"), stream.tail());
            assertTrue(stream.bytes() > total, "the client got " + stream.bytes() + " bytes");
        }
    }

    @Test
    void aStalledStreamIsResetAfterStalledClientTimeoutAndTheConnectionServesOn() throws Exception {
        byte[] batch = (BIG_EVENT.repeat(8)).getBytes(StandardCharsets.US_ASCII);
        CompletableFuture<Void> upstreamClosed = new CompletableFuture<>();
        try (FakeUpstream upstream = new FakeUpstream(reply -> {
            reply.channel().closeFuture().addListener(closed -> upstreamClosed.complete(null));
            reply.head(200, "OK", true, "content-type", "text/event-stream");
            while (reply.isOpen()) {
                reply.body(batch);
            }
        });
             GatewayHarness gateway = GatewayHarness.start("stalled_client_timeout = \"500ms\"",
                     GatewayHarness.routedTo(upstream.baseUrl(), NO_LOG), java.util.Map.of());
             H2Client client = H2Client.connect(gateway.port())) {
            H2Client.Stream stream = client.send(H2Client.post("/v1/chat/completions", GatewayHarness.KEY,
                    STREAM_CHAT), false);

            assertTrue(stream.response().reset(), "the stalled stream was reset");
            upstreamClosed.get(5, TimeUnit.SECONDS);
            assertTrue(client.connection().isActive(), "only the stalled stream ended");
            upstream.script(FakeUpstream.json("openai/chat-completion.json"));
            assertEquals(200, client.post("/v1/chat/completions", CHAT).status());
        }
    }

    @Test
    void drainSendsGoAwayAndLetsTheStreamsInFlightFinish() throws Exception {
        CompletableFuture<Void> finish = new CompletableFuture<>();
        try (FakeUpstream upstream = new FakeUpstream(reply -> {
            reply.head(200, "OK", true, "content-type", "text/event-stream");
            reply.body(FIRST_EVENT);
            finish.get(10, TimeUnit.SECONDS);
            reply.body("data: [DONE]\n\n");
            reply.end();
        });
             GatewayHarness gateway = GatewayHarness.start(GatewayHarness.routedTo(upstream.baseUrl(), NO_LOG));
             H2Client client = H2Client.connect(gateway.port())) {
            List<H2Client.Stream> streams = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                streams.add(client.send(H2Client.post("/v1/chat/completions", GatewayHarness.KEY, STREAM_CHAT),
                        true));
            }
            for (H2Client.Stream stream : streams) {
                waitFor(() -> String.join("", stream.chunks()).contains("\n\n"), "the first event");
            }

            CompletableFuture<Boolean> drained = CompletableFuture.supplyAsync(() -> {
                try {
                    return gateway.drain(Duration.ofSeconds(10));
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            waitFor(() -> !client.goAways().isEmpty(), "GOAWAY");
            H2Client.GoAway goAway = client.goAways().get(0);
            assertEquals(Http2Error.NO_ERROR.code(), goAway.errorCode());
            assertEquals(streams.get(2).channel().stream().id(), goAway.lastStreamId(),
                    "the last stream taken is named");
            assertFalse(drained.isDone(), "the drain waits for the streams in flight");

            finish.complete(null);
            for (H2Client.Stream stream : streams) {
                H2Client.Response response = stream.response();
                assertFalse(response.reset());
                assertTrue(response.body().endsWith("data: [DONE]\n\n"), response.body());
            }
            assertTrue(drained.get(10, TimeUnit.SECONDS), "drained within the timeout");
            waitFor(() -> !client.connection().isActive(), "the connection's close");
        }
    }

    /**
     * The flood is far more than the server reads at once, so its bytes are still unread when the server closes: the
     * close lingers (half-close, the rest read away) so the GOAWAY is read, where a plain close would be a TCP reset
     * that discards it. Repeated, as a reset loses it only sometimes.
     */
    @Test
    void aRapidResetFloodIsCutOffWithEnhanceYourCalmThatTheClientAlwaysReads() throws Exception {
        try (GatewayHarness gateway = GatewayHarness.start("http2_max_resets_per_second = 5",
                GatewayHarness.mockConfig(NO_LOG), java.util.Map.of())) {
            for (int round = 0; round < 5; round++) {
                try (H2Client client = H2Client.connect(gateway.port())) {
                    client.resetBurst(() -> {
                        HttpRequest head = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST,
                                "/v1/chat/completions");
                        head.headers().set(HttpHeaderNames.AUTHORIZATION, "Bearer " + GatewayHarness.KEY)
                                .set(HttpHeaderNames.CONTENT_TYPE, "application/json");
                        return head;
                    }, 400); // 80 times the limit: some 30 KB, more than the server reads before it gives up

                    // Without the limit the connection would stay open: resets alone are legal.
                    waitFor(() -> !client.connection().isActive(), "the connection's close");
                    assertEquals(1, client.goAways().size(), "round " + round + ": the GOAWAY was read");
                    assertEquals(Http2Error.ENHANCE_YOUR_CALM.code(), client.goAways().get(0).errorCode());
                }
            }
        }
    }

    @Test
    void withHttp2OffThePrefaceIsAnHttp1RequestOfAnotherVersion() throws Exception {
        try (GatewayHarness gateway = GatewayHarness.start("http2 = false", GatewayHarness.mockConfig(NO_LOG),
                java.util.Map.of());
             java.net.Socket socket = new java.net.Socket("127.0.0.1", gateway.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String answer = new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
            assertEquals("HTTP/1.1 505", answer);
        }
    }

    @Test
    void anUpgradeToH2cServesTheRequestAndEveryOneAfterItOnHttp2() throws Exception {
        try (GatewayHarness gateway = GatewayHarness.start(GatewayHarness.mockConfig(NO_LOG))) {
            java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder()
                    .version(java.net.http.HttpClient.Version.HTTP_2).build();
            java.net.http.HttpResponse<String> models = client.send(gateway.request("/v1/models")
                    .header("authorization", "Bearer " + GatewayHarness.KEY).GET().build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(200, models.statusCode(), models.body());
            assertEquals(java.net.http.HttpClient.Version.HTTP_2, models.version(), "upgraded");

            java.net.http.HttpResponse<String> chat = client.send(gateway.request("/v1/chat/completions")
                    .header("authorization", "Bearer " + GatewayHarness.KEY)
                    .header("content-type", "application/json")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(STREAM_CHAT)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(200, chat.statusCode());
            assertEquals(java.net.http.HttpClient.Version.HTTP_2, chat.version(), "on the upgraded connection");
            assertTrue(chat.body().endsWith("data: [DONE]\n\n"), chat.body());
        }
    }

    @Test
    void anUpgradeAskedWithABodyIsIgnoredAndServedOnHttp1() throws Exception {
        try (GatewayHarness gateway = GatewayHarness.start(GatewayHarness.mockConfig(NO_LOG));
             java.net.Socket socket = new java.net.Socket("127.0.0.1", gateway.port())) {
            socket.setSoTimeout(10_000);
            byte[] body = CHAT.getBytes(StandardCharsets.UTF_8);
            socket.getOutputStream().write(("POST /v1/chat/completions HTTP/1.1\r\nhost: gateway\r\n"
                    + "connection: Upgrade, HTTP2-Settings\r\nupgrade: h2c\r\n"
                    + "http2-settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n"
                    + "authorization: Bearer " + GatewayHarness.KEY + "\r\ncontent-type: application/json\r\n"
                    + "content-length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().write(body);
            String answer = new String(socket.getInputStream().readNBytes(15), StandardCharsets.US_ASCII);
            assertEquals("HTTP/1.1 200 OK", answer);
        }
    }

    /**
     * Only a connection's first request may upgrade it: once one is served on HTTP/1.1 the upgrade handler is gone,
     * and an {@code Upgrade: h2c} on a later request is ignored (RFC 9110 §7.8) and answered on HTTP/1.1.
     */
    @Test
    void anUpgradeAskedAfterTheFirstRequestIsIgnoredAndServedOnHttp1() throws Exception {
        try (GatewayHarness gateway = GatewayHarness.start(GatewayHarness.mockConfig(NO_LOG));
             RawHttpClient client = new RawHttpClient(gateway.port())) {
            String health = "GET /health HTTP/1.1\r\nhost: gateway\r\n";
            assertEquals(200, client.send(health + "\r\n").read().status());

            RawHttpClient.Response second = client.send(health + "connection: Upgrade, HTTP2-Settings\r\n"
                    + "upgrade: h2c\r\nhttp2-settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n\r\n").read();

            assertEquals(200, second.status(), "not 101: " + second.headers());
            assertEquals(200, client.send(health + "\r\n").read().status(), "the connection serves on");
        }
    }

    /** curl speaks both ways a client starts h2c: the preface, and Upgrade from HTTP/1.1. */
    @Test
    void curlGetsStreamedChatOverPriorKnowledgeAndOverUpgrade() throws Exception {
        try (GatewayHarness gateway = GatewayHarness.start(GatewayHarness.mockConfig(NO_LOG))) {
            String priorKnowledge = curl("--http2-prior-knowledge", "-d", STREAM_CHAT,
                    "http://127.0.0.1:" + gateway.port() + "/v1/chat/completions");
            assertTrue(priorKnowledge.startsWith("2 200\n"), priorKnowledge);
            assertTrue(priorKnowledge.endsWith("data: [DONE]\n\n"), priorKnowledge);

            String upgraded = curl("--http2", "http://127.0.0.1:" + gateway.port() + "/v1/models");
            assertTrue(upgraded.startsWith("2 200\n"), upgraded);
            assertTrue(upgraded.contains("\"object\":\"list\""), upgraded);
        }
    }

    /** h2 over TLS by ALPN (the JDK client offers h2, http/1.1), with either TLS engine; http2 = false: HTTP/1.1. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({"openssl,true,HTTP_2", "jdk,true,HTTP_2", "openssl,false,HTTP_1_1"})
    void overTlsAlpnChoosesHttp2(String engine, boolean http2, java.net.http.HttpClient.Version expected)
            throws Exception {
        TestCertificates.Issued certificate = TestCertificates.localhost();
        try (GatewayHarness gateway = GatewayHarness.start("""
                tls_engine = "%s"
                http2 = %s

                [server.tls]
                cert = "%s"
                key = "%s"
                """.formatted(engine, http2, certificate.certFile(), certificate.keyFile()),
                GatewayHarness.mockConfig(NO_LOG), java.util.Map.of())) {
            java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder()
                    .version(java.net.http.HttpClient.Version.HTTP_2).sslContext(TestCertificates.trustingCa())
                    .build();
            java.net.http.HttpResponse<String> chat = client.send(java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create("https://127.0.0.1:" + gateway.port() + "/v1/chat/completions"))
                    .timeout(Duration.ofSeconds(20))
                    .header("authorization", "Bearer " + GatewayHarness.KEY)
                    .header("content-type", "application/json")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(STREAM_CHAT)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());

            assertEquals(200, chat.statusCode(), chat.body());
            assertEquals(expected, chat.version());
            assertTrue(chat.body().endsWith("data: [DONE]\n\n"), chat.body());

            String curled = curl("--http2", "--cacert", TestCertificates.ca().certFile().toString(),
                    "https://127.0.0.1:" + gateway.port() + "/v1/models");
            assertTrue(curled.startsWith((http2 ? "2" : "1.1") + " 200\n"), curled);
        }
    }

    /** Runs curl with the harness's key; what it got: the HTTP version and status on a line, then the body. */
    private static String curl(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "--max-time", "20",
                "-w", "\\n#%{http_version} %{http_code}", "-o", "-",
                "-H", "authorization: Bearer " + GatewayHarness.KEY, "-H", "content-type: application/json"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue(), output);
        int mark = output.lastIndexOf("\n#");
        return output.substring(mark + 2) + "\n" + output.substring(0, mark);
    }

    private static void waitFor(java.util.function.BooleanSupplier condition, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(5);
        }
    }
}
