package dev.llmgateway.server;

import dev.llmgateway.testutil.FakeUpstream;
import dev.llmgateway.testutil.FakeUpstream.Protocol;
import dev.llmgateway.testutil.GatewayHarness;
import dev.llmgateway.testutil.H2Client;
import dev.llmgateway.testutil.RawHttpClient;
import io.netty.handler.codec.http2.Http2Error;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Stopping while streams are relayed. {@link GatewayServer#close()} without a drain before it: every exchange in
 * flight ends as cancelled (the in-flight gauge back to zero, each stream's outcome counted), its upstream stream or
 * connection is let go — on both client protocols and both provider protocols. A drain of HTTP/2 clients whose
 * streams ride HTTP/2 provider streams: they finish within the timeout, or end with the draining error at its
 * deadline. No buffer leaks anywhere (the leak detection extension fails the class otherwise).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ShutdownWithStreamsInFlightTest {
    private static final int STREAMS = 8;
    private static final String STREAM_CHAT =
            "{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static final String EVENT = "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\","
            + "\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"}}]}\n\n";

    static Stream<Arguments> protocols() {
        return Stream.of(Protocol.values()).flatMap(upstream -> Stream.of(
                Arguments.of(upstream, false), Arguments.of(upstream, true)));
    }

    @ParameterizedTest(name = "upstream {0}, client h2: {1}")
    @MethodSource("protocols")
    void closeEndsEveryExchangeInFlightAsCancelled(Protocol upstreamProtocol, boolean clientHttp2) throws Exception {
        CountDownLatch providerDone = new CountDownLatch(1);
        try (FakeUpstream upstream = new FakeUpstream(upstreamProtocol, reply -> {
            reply.head(200, "OK", true, "content-type", "text/event-stream").body(EVENT);
            providerDone.await(30, TimeUnit.SECONDS); // the stream stays open until the gateway is gone
        })) {
            GatewayHarness gateway = GatewayHarness.start(GatewayHarness.openAiConfig(upstream.baseUrl(),
                    upstreamProtocol.providerLine() + "\n\n[routing]\ndefault_provider = \"up\"\n"));
            boolean closed = false;
            List<RawHttpClient> http1 = new ArrayList<>();
            H2Client http2 = clientHttp2 ? H2Client.connect(gateway.port()) : null;
            try {
                List<H2Client.Stream> streams = new ArrayList<>();
                for (int i = 0; i < STREAMS; i++) {
                    if (clientHttp2) {
                        streams.add(http2.send(H2Client.post("/v1/chat/completions", GatewayHarness.KEY,
                                STREAM_CHAT), true));
                    } else {
                        RawHttpClient client = new RawHttpClient(gateway.port());
                        http1.add(client.send(RawHttpClient.post("/v1/chat/completions", GatewayHarness.KEY,
                                STREAM_CHAT)));
                    }
                }
                for (RawHttpClient client : http1) {
                    assertEquals(200, client.readHead().status());
                }
                for (H2Client.Stream stream : streams) {
                    assertEquals(200, stream.head().status().code());
                }
                waitFor(() -> upstream.received().size() == STREAMS, "every stream at the provider");
                assertEquals(STREAMS, inFlight(gateway), "the exchanges relaying");

                long closing = System.nanoTime();
                gateway.close();
                closed = true;
                assertTrue(System.nanoTime() - closing < TimeUnit.SECONDS.toNanos(2),
                        "closed without waiting for the streams");

                assertEquals(0, inFlight(gateway), "close ended every exchange");
                assertEquals(STREAMS, gateway.server().metrics().registry().getSampleValue(
                        "llm_stream_outcomes_total", new String[] {"model", "provider", "outcome"},
                        new String[] {"other", "up", "cancelled_by_client"}), "each counted as cancelled");
                if (upstreamProtocol == Protocol.HTTP_2) {
                    waitFor(() -> upstream.connectionsClosed() == upstream.connectionsAccepted(),
                            "the provider's h2 connection closed");
                } else {
                    waitFor(() -> upstream.connectionsClosed() == STREAMS, "each provider connection closed");
                }
            } finally {
                providerDone.countDown();
                if (!closed) {
                    gateway.close();
                }
                for (RawHttpClient client : http1) {
                    client.close();
                }
                if (http2 != null) {
                    http2.close();
                }
            }
        }
    }

    @Test
    void aDrainLetsHttp2StreamsOnHttp2ProviderStreamsFinish() throws Exception {
        CountDownLatch providerDone = new CountDownLatch(1);
        try (FakeUpstream upstream = new FakeUpstream(Protocol.HTTP_2, reply -> {
            reply.head(200, "OK", true, "content-type", "text/event-stream").body(EVENT);
            providerDone.await(30, TimeUnit.SECONDS);
            reply.body("data: [DONE]\n\n").end();
        });
             GatewayHarness gateway = http2Provider(upstream);
             H2Client client = H2Client.connect(gateway.port())) {
            List<H2Client.Stream> streams = openStreams(client, upstream);

            CompletableFuture<Boolean> drained = CompletableFuture.supplyAsync(() -> drain(gateway, 10));
            waitFor(() -> !client.goAways().isEmpty(), "GOAWAY");
            assertEquals(Http2Error.NO_ERROR.code(), client.goAways().get(0).errorCode());
            assertFalse(drained.isDone(), "the drain waits for the streams in flight");
            providerDone.countDown();

            for (H2Client.Stream stream : streams) {
                H2Client.Response response = stream.response();
                assertFalse(response.reset());
                assertTrue(response.body().endsWith("data: [DONE]\n\n"), response.body());
            }
            assertTrue(drained.get(15, TimeUnit.SECONDS), "drained within the timeout");
            waitFor(() -> inFlight(gateway) == 0, "every exchange ended");
            assertTrue(upstream.resets().isEmpty(), "finished provider streams are not reset");
        }
    }

    @Test
    void aDrainDeadlineEndsHttp2StreamsWithTheDrainingErrorAndResetsTheirProviderStreams() throws Exception {
        CountDownLatch providerDone = new CountDownLatch(1);
        try (FakeUpstream upstream = new FakeUpstream(Protocol.HTTP_2, reply -> {
            reply.head(200, "OK", true, "content-type", "text/event-stream").body(EVENT);
            providerDone.await(30, TimeUnit.SECONDS);
        });
             GatewayHarness gateway = http2Provider(upstream);
             H2Client client = H2Client.connect(gateway.port())) {
            try {
                List<H2Client.Stream> streams = openStreams(client, upstream);

                assertFalse(drain(gateway, 0), "the deadline ended the streams");

                for (H2Client.Stream stream : streams) {
                    String body = stream.response().body();
                    assertTrue(body.contains("\"code\":\"draining\""), body);
                    assertFalse(body.contains("[DONE]"), body);
                }
                waitFor(() -> upstream.resets().size() == STREAMS, "each provider stream reset");
                waitFor(() -> inFlight(gateway) == 0, "every exchange ended");
            } finally {
                providerDone.countDown();
            }
        }
    }

    private static GatewayHarness http2Provider(FakeUpstream upstream) throws Exception {
        return GatewayHarness.start(GatewayHarness.openAiConfig(upstream.baseUrl(),
                Protocol.HTTP_2.providerLine() + "\n\n[routing]\ndefault_provider = \"up\"\n"));
    }

    /** {@link #STREAMS} streamed chats, each relaying its first event from a provider stream that stays open. */
    private static List<H2Client.Stream> openStreams(H2Client client, FakeUpstream upstream) throws Exception {
        List<H2Client.Stream> streams = new ArrayList<>();
        for (int i = 0; i < STREAMS; i++) {
            streams.add(client.send(H2Client.post("/v1/chat/completions", GatewayHarness.KEY, STREAM_CHAT), true));
        }
        for (H2Client.Stream stream : streams) {
            assertEquals(200, stream.head().status().code());
        }
        waitFor(() -> upstream.received().size() == STREAMS, "every stream at the provider");
        return streams;
    }

    private static boolean drain(GatewayHarness gateway, long seconds) {
        try {
            return gateway.drain(Duration.ofSeconds(seconds));
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static double inFlight(GatewayHarness gateway) {
        return gateway.server().metrics().registry().getSampleValue("llm_requests_in_flight");
    }

    private static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "waited 10 s for " + what);
            Thread.sleep(10);
        }
    }
}
