package dev.llmgateway.proxy;

import dev.llmgateway.testutil.FakeUpstream;
import dev.llmgateway.testutil.FakeUpstream.Protocol;
import dev.llmgateway.testutil.Fixtures;
import dev.llmgateway.testutil.GatewayHarness;
import dev.llmgateway.testutil.JsonPath;
import dev.llmgateway.testutil.RawHttpClient;
import dev.llmgateway.testutil.TestCertificates;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.codec.http2.Http2Error;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.InputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The gateway speaking HTTP/2 to a provider on loopback, with prior knowledge (h2c) and over TLS by ALPN (with the
 * fallback to HTTP/1.1): what h2 adds over the faults that {@link ResilienceIntegrationTest} runs on both protocols —
 * requests as streams of one multiplexed connection, stream-level backpressure, GOAWAY and refused streams, and the
 * headers HTTP/2 forbids.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class Http2UpstreamIntegrationTest {
    private static final String CHAT = "{\"model\":\"fast\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static final String STREAM_CHAT = "{\"model\":\"fast\",\"stream\":true,"
            + "\"stream_options\":{\"include_usage\":true},\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static final String EVENT = "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"fast\","
            + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x\"}}]}\n\n";

    private FakeUpstream upstream;
    private GatewayHarness gateway;

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    private void start(long maxConcurrentStreams, FakeUpstream.Script script) throws Exception {
        start(maxConcurrentStreams, "", script);
    }

    private void start(long maxConcurrentStreams, String providerLines, FakeUpstream.Script script) throws Exception {
        start(Protocol.HTTP_2, maxConcurrentStreams, providerLines, script);
    }

    private void start(Protocol protocol, long maxConcurrentStreams, String providerLines, FakeUpstream.Script script)
            throws Exception {
        upstream = new FakeUpstream(protocol, maxConcurrentStreams, script, null);
        gateway = GatewayHarness.start(GatewayHarness.openAiConfig(upstream.baseUrl(), """
                %s
                %s

                [models."fast"]
                provider = "up"
                """.formatted(protocol.providerLine(), providerLines)));
    }

    private static void ok(FakeUpstream.Reply reply) {
        reply.full(200, "OK", "application/json", Fixtures.bytes("openai/chat-completion.json"),
                "x-request-id", "req_upstream_1");
    }

    @Test
    void aChatGoesAsAStreamWithAuthorityFromTheProviderAndNoConnectionHeaders() throws Exception {
        start(Long.MAX_VALUE, Http2UpstreamIntegrationTest::ok);

        HttpResponse<String> response = gateway.client().send(gateway.request("/v1/chat/completions")
                .header("authorization", "Bearer " + GatewayHarness.KEY)
                .header("content-type", "application/json")
                .header("te", "trailers, deflate")
                .header("x-client-note", "kept")
                .POST(HttpRequest.BodyPublishers.ofString(CHAT)).build(), HttpResponse.BodyHandlers.ofString());

        assertEquals(200, response.statusCode(), response.body());
        assertEquals("The capital of France is Paris.",
                JsonPath.read(response.body(), "choices", "0", "message", "content"));
        assertEquals("req_upstream_1", response.headers().firstValue("x-upstream-request-id").orElseThrow());
        assertTrue(response.headers().firstValue("x-http2-stream-id").isEmpty(), "the codec's header stays inside");
        FakeUpstream.Received sent = upstream.last();
        assertEquals("127.0.0.1:" + upstream.port(), sent.headers().get("host"), ":authority");
        assertEquals("/v1/chat/completions", sent.uri());
        assertEquals("Bearer sk-upstream-secret", sent.headers().get("authorization"));
        assertEquals("kept", sent.headers().get("x-client-note"));
        for (String hopByHop : List.of("connection", "keep-alive", "transfer-encoding", "upgrade", "te")) {
            assertNull(sent.headers().get(hopByHop), hopByHop);
        }
        assertEquals(1, upstream.connectionsAccepted());
    }

    @Test
    void aStreamedChatIsRelayedEventByEventAndTheConnectionServesTheNextRequest() throws Exception {
        byte[] fixture = Fixtures.bytes("openai/chat-completion-stream.sse");
        start(Long.MAX_VALUE, reply -> {
            reply.head(200, "OK", true, "content-type", "text/event-stream");
            for (int at = 0; at < fixture.length; at += 7) { // DATA frames split at awkward bytes
                reply.body(java.util.Arrays.copyOfRange(fixture, at, Math.min(fixture.length, at + 7)));
            }
            reply.end();
        });
        String expected = new String(fixture, StandardCharsets.UTF_8)
                .replace("\"model\":\"gpt-4o-mini-2024-07-18\"", "\"model\":\"fast\"");

        for (int i = 0; i < 3; i++) {
            HttpResponse<String> response = gateway.post("/v1/chat/completions", STREAM_CHAT);
            assertEquals(200, response.statusCode());
            assertEquals(expected, response.body());
        }
        assertEquals(1, upstream.connectionsAccepted(), "one connection, a stream per request");
        assertEquals(0, upstream.resets().size(), "streams that ended are not reset");
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void concurrentStreamsTakeAConnectionEachOnHttp1AndShareThemUpToTheStreamLimitOnHttp2(Protocol protocol)
            throws Exception {
        // 200 keeps the test short on a busy machine; -Dh2.streams=1000 -Dh2.streamLimit=100 measures the target
        int requests = Integer.getInteger("h2.streams", 200);
        int streamLimit = Integer.getInteger("h2.streamLimit", 50);
        CountDownLatch allArrived = new CountDownLatch(requests);
        start(protocol, streamLimit, "max_connections = " + requests, reply -> {
            allArrived.countDown();
            // every stream is held open until all are in flight at once
            allArrived.await(30, TimeUnit.SECONDS);
            reply.head(200, "OK", true, "content-type", "text/event-stream").body(EVENT).body("data: [DONE]\n\n").end();
        });

        List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
        long startNanos = System.nanoTime();
        for (int i = 0; i < requests; i++) {
            responses.add(gateway.client().sendAsync(gateway.request("/v1/chat/completions")
                    .timeout(java.time.Duration.ofSeconds(40))
                    .header("authorization", "Bearer " + GatewayHarness.KEY)
                    .header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(STREAM_CHAT)).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        int ok = 0;
        for (CompletableFuture<HttpResponse<String>> response : responses) {
            HttpResponse<String> done = response.get(45, TimeUnit.SECONDS);
            ok += done.statusCode() == 200 && done.body().endsWith("data: [DONE]\n\n") ? 1 : 0;
        }
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);

        System.out.printf("%s: %d concurrent streams over %d upstream connections (h2 provider limit %d streams),"
                + " %d ms%n", protocol, requests, upstream.connectionsAccepted(), streamLimit, tookMillis);
        assertEquals(requests, ok);
        assertEquals(0, allArrived.getCount(), "all were in flight at once");
        assertEquals(protocol == Protocol.HTTP_2 ? (requests + streamLimit - 1) / streamLimit : requests,
                upstream.connectionsAccepted(),
                "HTTP/2 opens a connection only when the others are at the provider's limit");
    }

    @Test
    void aClientThatStopsReadingStopsItsStreamNotTheConnection() throws Exception {
        byte[] event = ("data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"fast\",\"choices\":[{"
                + "\"index\":0,\"delta\":{\"content\":\"" + "y".repeat(8000) + "\"}}]}\n\n")
                .getBytes(StandardCharsets.UTF_8);
        int events = 2000; // 16 MB: far more than the stream window and every socket buffer on the way
        AtomicLong streamedBytes = new AtomicLong();
        start(Long.MAX_VALUE, reply -> {
            if (!reply.request().body().contains("\"stream\":true")) {
                ok(reply);
                return;
            }
            reply.head(200, "OK", true, "content-type", "text/event-stream");
            for (int i = 0; i < events; i++) {
                reply.body(event); // blocks while the stream's window is shut
                streamedBytes.addAndGet(event.length);
            }
            reply.body("data: [DONE]\n\n").end();
        });

        try (Socket stalled = new Socket("127.0.0.1", gateway.port())) {
            stalled.setReceiveBufferSize(4096);
            stalled.getOutputStream().write(RawHttpClient.post("/v1/chat/completions", GatewayHarness.KEY,
                    STREAM_CHAT).getBytes(StandardCharsets.UTF_8));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            long seen;
            do { // the provider writes until the windows and buffers fill, then stops
                seen = streamedBytes.get();
                Thread.sleep(300);
            } while (streamedBytes.get() != seen && System.nanoTime() < deadline);

            HttpResponse<String> other = gateway.post("/v1/chat/completions", CHAT);

            assertEquals(200, other.statusCode(), "a stream beside the stalled one is served");
            assertTrue(streamedBytes.get() < (long) events * event.length / 2,
                    "the stalled stream stopped at " + streamedBytes.get() + " bytes");
            assertEquals(1, upstream.connectionsAccepted(), "both streams on one connection");
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (upstream.resets().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(1, upstream.resets().size(), "the stalled client left: its stream is reset, nothing else");
    }

    @Test
    void afterGoAwayStreamsUpToTheLastIdFinishAndARefusedOneIsRetriedOnANewConnection() throws Exception {
        CountDownLatch twoInFlight = new CountDownLatch(2);
        AtomicInteger calls = new AtomicInteger();
        CompletableFuture<Void> goneAway = new CompletableFuture<>();
        start(Long.MAX_VALUE, "max_attempts = 1", reply -> {
            int call = calls.incrementAndGet();
            if (reply.request().connection() == 1) {
                twoInFlight.countDown();
                if (call == 1) {
                    twoInFlight.await(10, TimeUnit.SECONDS);
                    reply.goAway(); // this stream is the last the provider processes; the other is refused
                    goneAway.complete(null);
                    Thread.sleep(100);
                    ok(reply);
                }
                return; // the refused stream is never answered
            }
            ok(reply);
        });

        CompletableFuture<HttpResponse<String>> first = gateway.client().sendAsync(
                chatRequest(), HttpResponse.BodyHandlers.ofString());
        // the second after the first is on the wire, so its stream id is the higher one
        while (upstream.received().isEmpty()) {
            Thread.sleep(5);
        }
        CompletableFuture<HttpResponse<String>> second = gateway.client().sendAsync(
                chatRequest(), HttpResponse.BodyHandlers.ofString());

        HttpResponse<String> finished = first.get(10, TimeUnit.SECONDS);
        assertEquals(200, finished.statusCode(), finished.body());
        HttpResponse<String> retried = second.get(10, TimeUnit.SECONDS);
        assertEquals(200, retried.statusCode(), retried.body());
        assertEquals("2", retried.headers().firstValue("x-gateway-attempts").orElseThrow(),
                "a refused stream is retried free (max_attempts = 1), like a stale connection");
        assertTrue(goneAway.isDone());
        assertEquals(2, upstream.connectionsAccepted(), "the retry went on a new connection");

        assertEquals(200, gateway.post("/v1/chat/completions", CHAT).statusCode());
        assertEquals(2, upstream.connectionsAccepted(), "nothing more on the connection that went away");
        assertEquals(2, upstream.received().stream().filter(r -> r.connection() == 2).count());
    }

    @Test
    void aStreamRefusedWithRstStreamIsRetriedFree() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        start(Long.MAX_VALUE, "max_attempts = 1", reply -> {
            if (calls.incrementAndGet() == 1) {
                reply.reset(Http2Error.REFUSED_STREAM);
            } else {
                ok(reply);
            }
        });

        HttpResponse<String> response = gateway.post("/v1/chat/completions", CHAT);

        assertEquals(200, response.statusCode(), response.body());
        assertEquals("2", response.headers().firstValue("x-gateway-attempts").orElseThrow(),
                "retried though max_attempts = 1");
        assertEquals(2, upstream.received().size());
        assertEquals(1, upstream.connectionsAccepted(), "a refused stream leaves the connection usable");
    }

    /**
     * The provider lowers SETTINGS_MAX_CONCURRENT_STREAMS to 1 while a stream is open and refuses the stream that
     * crossed its SETTINGS (opened before the gateway read them): that stream is retried free on a new connection,
     * and the first connection gets no stream beyond the new limit afterwards.
     */
    @Test
    void aStreamCrossingALoweredStreamLimitIsRetriedFreeAndTheNewLimitHolds() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        start(Long.MAX_VALUE, "max_attempts = 1", reply -> {
            boolean firstConnection = reply.request().connection() == 1;
            long onFirst = upstream.received().stream().filter(r -> r.connection() == 1).count();
            if (firstConnection && onFirst == 1) {
                release.await(10, TimeUnit.SECONDS); // the one stream the lowered limit leaves room for
                ok(reply);
            } else if (firstConnection) {
                reply.maxConcurrentStreams(1); // as it decided on the limit, this stream was already on its way
                reply.reset(Http2Error.REFUSED_STREAM);
            } else {
                ok(reply);
            }
        });

        CompletableFuture<HttpResponse<String>> held = gateway.client().sendAsync(chatRequest(),
                HttpResponse.BodyHandlers.ofString());
        while (upstream.received().isEmpty()) {
            Thread.sleep(5);
        }
        HttpResponse<String> crossing = gateway.post("/v1/chat/completions", CHAT);
        assertEquals(200, crossing.statusCode(), crossing.body());
        assertEquals("2", crossing.headers().firstValue("x-gateway-attempts").orElseThrow(),
                "refused by the lowered limit: retried though max_attempts = 1");
        assertEquals(2, upstream.connectionsAccepted(), "the retry found no room under the new limit");

        for (int i = 0; i < 3; i++) {
            assertEquals(200, gateway.post("/v1/chat/completions", CHAT).statusCode());
        }
        assertEquals(2, upstream.received().stream().filter(r -> r.connection() == 1).count(),
                "no stream on the first connection beyond its new limit");
        release.countDown();
        assertEquals(200, held.get(10, TimeUnit.SECONDS).statusCode());
    }

    @Test
    void aStreamResetOtherwiseIsAnUpstreamFailureNotRetriedFree() throws Exception {
        start(Long.MAX_VALUE, "max_attempts = 1", reply -> reply.reset(Http2Error.INTERNAL_ERROR));

        HttpResponse<String> response = gateway.post("/v1/chat/completions", CHAT);

        assertEquals(502, response.statusCode(), response.body());
        assertEquals("upstream_error", JsonPath.read(response.body(), "error", "code"));
        assertTrue(JsonPath.read(response.body(), "error", "message").contains("INTERNAL_ERROR"), response.body());
        assertEquals(1, upstream.received().size(), "the provider may have acted on it: no free retry");
    }

    @Test
    void aProviderThatDoesNotSpeakH2cIsUnreachableNotHung() throws Exception {
        upstream = new FakeUpstream(Protocol.HTTP_1_1, Http2UpstreamIntegrationTest::ok);
        gateway = GatewayHarness.start(GatewayHarness.openAiConfig(upstream.baseUrl(), """
                http = "2"
                max_attempts = 1

                [models."fast"]
                provider = "up"
                """));

        HttpResponse<String> response = gateway.post("/v1/chat/completions", CHAT);

        assertEquals(502, response.statusCode(), response.body());
        assertEquals("upstream_unreachable", JsonPath.read(response.body(), "error", "code"));
        assertFalse(response.body().contains("sk-upstream-secret"));
    }

    /** An https provider with the tests' certificate, offering {@code alpn} (none: no ALPN at all). */
    private void startTls(Protocol protocol, String providerLines, FakeUpstream.Script script, String... alpn)
            throws Exception {
        TestCertificates.Issued certificate = TestCertificates.localhost();
        SslContextBuilder server = SslContextBuilder.forServer(certificate.key(), certificate.chain());
        if (alpn.length > 0) {
            server.applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                    ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                    ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, alpn));
        }
        upstream = new FakeUpstream(protocol, Long.MAX_VALUE, script, server.build());
        gateway = GatewayHarness.start(GatewayHarness.openAiConfig(upstream.baseUrl(), """
                ca_file = "%s"
                %s

                [models."fast"]
                provider = "up"
                """.formatted(TestCertificates.ca().certFile(), providerLines)));
    }

    @Test
    void anHttpsProviderOfferingH2IsSpokenHttp2ByDefaultOneConnectionForEveryStream() throws Exception {
        byte[] fixture = Fixtures.bytes("openai/chat-completion-stream.sse");
        startTls(Protocol.HTTP_2, "", reply -> {
            reply.head(200, "OK", true, "content-type", "text/event-stream");
            reply.body(java.util.Arrays.copyOfRange(fixture, 0, 9)).body(java.util.Arrays.copyOfRange(fixture, 9,
                    fixture.length)).end();
        }, "h2", "http/1.1");

        List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            responses.add(gateway.client().sendAsync(gateway.request("/v1/chat/completions")
                    .header("authorization", "Bearer " + GatewayHarness.KEY)
                    .header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(STREAM_CHAT)).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        for (CompletableFuture<HttpResponse<String>> response : responses) {
            HttpResponse<String> done = response.get(20, TimeUnit.SECONDS);
            assertEquals(200, done.statusCode(), done.body());
            assertTrue(done.body().endsWith("data: [DONE]\n\n"), done.body());
        }
        assertEquals(1, upstream.connectionsAccepted(), "streams of one h2 connection");
        assertEquals(1, upstream.handshakes());
        assertEquals("127.0.0.1:" + upstream.port(), upstream.last().headers().get("host"), ":authority");
    }

    @Test
    void anHttpsProviderThatDoesNotOfferH2IsSpokenHttp1ByDefault() throws Exception {
        startTls(Protocol.HTTP_1_1, "", Http2UpstreamIntegrationTest::ok, "http/1.1");

        for (int i = 0; i < 3; i++) {
            HttpResponse<String> response = gateway.post("/v1/chat/completions", CHAT);
            assertEquals(200, response.statusCode(), response.body());
        }
        assertEquals(3, upstream.received().size());
        assertEquals(1, upstream.connectionsAccepted(),
                "the connection that learned HTTP/1.1 by ALPN serves on as a keep-alive connection");
        assertEquals(1, upstream.handshakes());
    }

    @Test
    void anHttpsProviderWithoutAlpnIsSpokenHttp1ByDefault() throws Exception {
        startTls(Protocol.HTTP_1_1, "", Http2UpstreamIntegrationTest::ok);

        assertEquals(200, gateway.post("/v1/chat/completions", CHAT).statusCode());
        assertEquals(200, gateway.post("/v1/chat/completions", CHAT).statusCode());
    }

    @Test
    void http2RequiredOfAnHttpsProviderThatDoesNotOfferItIsUnreachable() throws Exception {
        startTls(Protocol.HTTP_1_1, "http = \"2\"\nmax_attempts = 1", Http2UpstreamIntegrationTest::ok, "http/1.1");

        HttpResponse<String> response = gateway.post("/v1/chat/completions", CHAT);

        assertEquals(502, response.statusCode(), response.body());
        assertEquals("upstream_unreachable", JsonPath.read(response.body(), "error", "code"));
        assertTrue(response.body().contains("not h2"), response.body());
        assertEquals(0, upstream.received().size());
    }

    private HttpRequest chatRequest() {
        return gateway.request("/v1/chat/completions")
                .header("authorization", "Bearer " + GatewayHarness.KEY)
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(CHAT)).build();
    }
}
