package dev.llmgateway.server;

import dev.llmgateway.dialect.ApiError;
import dev.llmgateway.exchange.Endpoint;
import dev.llmgateway.exchange.Exchange;
import dev.llmgateway.metrics.GatewayMetrics;
import dev.llmgateway.testutil.ClientResponse;
import dev.llmgateway.testutil.Exchanges;
import dev.llmgateway.testutil.GatewayHarness;
import dev.llmgateway.testutil.JsonPath;
import dev.llmgateway.testutil.RecordingObserver;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link EndpointHandler}: the verdicts it gives itself (400/431 for what the codec could not decode, 404, 405,
 * health, readiness, metrics) in the client's error shape, and the {@link Exchange} it hands on for everything
 * else, which then owns the request.
 */
class EndpointHandlerTest {
    private static final Snapshot SNAPSHOT = Exchanges.snapshot(GatewayHarness.openAiConfig(Exchanges.UNUSED_BASE_URL,
            ""));

    private final RecordingObserver observer = new RecordingObserver();
    private EmbeddedChannel channel = channel(EndpointHandler.MetricsAccess.NONE, false, true);

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    private EmbeddedChannel channel(EndpointHandler.MetricsAccess metrics, boolean adminOnly, boolean ready) {
        return new EmbeddedChannel(new EndpointHandler(() -> new Readiness(ready, SNAPSHOT.providers()), observer,
                new GatewayMetrics(), metrics, SNAPSHOT::keys, Runnable::run, adminOnly));
    }

    private ClientResponse answer(HttpMethod method, String uri, String... headers) {
        channel.writeInbound(Exchanges.request(method, uri, "", headers));
        channel.runPendingTasks();
        return ClientResponse.read(channel);
    }

    @Test
    void anUnknownPathIs404AndCounted() {
        ClientResponse response = answer(HttpMethod.GET, "/v2/nothing?x=1");
        assertEquals(404, response.status());
        assertEquals("unknown_url", JsonPath.read(response.body(), "error", "code"));
        String uri = observer.only().uri();
        assertEquals("/v2/nothing", uri.substring(0, uri.indexOf('?')), "the log's path");
    }

    @Test
    void aWrongMethodIs405WithAllow() {
        ClientResponse response = answer(HttpMethod.GET, "/v1/chat/completions");
        assertEquals(405, response.status());
        assertEquals("GET, POST", response.header("allow"));
    }

    @Test
    void healthIsAnsweredHereAndNotCounted() {
        ClientResponse response = answer(HttpMethod.GET, "/health");
        assertEquals(200, response.status());
        assertEquals("{\"status\":\"ok\"}", response.body());
        assertEquals("no-store", response.header("cache-control"));
        assertEquals(0, observer.startedCount());
        assertEquals(200, answer(HttpMethod.HEAD, "/health").status(), "HEAD is served where GET is");
    }

    @Test
    void readinessIs503WhileNotReady() {
        channel.finishAndReleaseAll();
        channel = channel(EndpointHandler.MetricsAccess.NONE, false, false);
        ClientResponse response = answer(HttpMethod.GET, "/ready");
        assertEquals(503, response.status());
        assertEquals("not_ready", JsonPath.read(response.body(), "status"));
        assertEquals("closed", JsonPath.read(response.body(), "providers", "up"));
    }

    @Test
    void aProxiedPathBecomesAnExchangeThatOwnsTheRequest() {
        FullHttpRequest request = Exchanges.request(HttpMethod.POST, "/v1/messages", "{}", "x-request-id", "abc-1");
        channel.writeInbound(request);
        Exchange exchange = channel.readInbound();
        assertSame(request, exchange.request());
        assertEquals(Endpoint.MESSAGES, exchange.endpoint());
        assertEquals("abc-1", exchange.requestId());
        assertEquals(1, request.refCnt());
        assertEquals(1, observer.startedCount());
        exchange.fail(ApiError.missingApiKey());
        assertEquals(0, request.refCnt());
        assertEquals("error", JsonPath.read(ClientResponse.read(channel).body(), "type"), "in Anthropic's shape");
    }

    @Test
    void aHeadTheCodecCouldNotDecodeIsAnswered431AndTheConnectionClosed() {
        FullHttpRequest request = Exchanges.request(HttpMethod.GET, "/v1/models", "");
        request.setDecoderResult(DecoderResult.failure(new TooLongHttpHeaderException("too long")));
        channel.writeInbound(request);
        assertEquals(0, request.refCnt());
        ClientResponse response = ClientResponse.read(channel);
        assertEquals(431, response.status());
        assertEquals("close", response.header("connection"));
        assertFalse(channel.isOpen());
    }

    @Test
    void metricsAreNotServedUnlessEnabled() {
        assertEquals(404, answer(HttpMethod.GET, "/metrics").status());
    }

    @Test
    void metricsAreScrapedOffTheLoopAndAnsweredOnIt() {
        channel.finishAndReleaseAll();
        channel = channel(EndpointHandler.MetricsAccess.OPEN, false, true);
        ClientResponse response = answer(HttpMethod.GET, "/metrics");
        assertEquals(200, response.status());
        assertTrue(response.body().contains("llm_requests_total"), response.body());
    }

    @Test
    void metricsThatNeedAKeyRefuseARequestWithout() {
        channel.finishAndReleaseAll();
        channel = channel(EndpointHandler.MetricsAccess.KEY, false, true);
        assertEquals(401, answer(HttpMethod.GET, "/metrics").status());
        assertEquals(200, answer(HttpMethod.GET, "/metrics", "authorization", "Bearer " + GatewayHarness.KEY)
                .status());
    }

    @Test
    void anAdminListenerServesOnlyHealthReadinessAndMetrics() {
        channel.finishAndReleaseAll();
        channel = channel(EndpointHandler.MetricsAccess.OPEN, true, true);
        assertEquals(404, answer(HttpMethod.POST, "/v1/chat/completions").status());
        assertNull(channel.readInbound());
        assertEquals(200, answer(HttpMethod.GET, "/ready").status());
    }

    @Test
    void aMessageThatIsNotARequestPassesOn() {
        Object other = "not a request";
        channel.writeInbound(other);
        assertSame(other, channel.readInbound());
    }
}
