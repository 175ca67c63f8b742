package dev.llmgateway.server;

import dev.llmgateway.accesslog.Outcome;
import dev.llmgateway.exchange.Exchange;
import dev.llmgateway.metrics.GatewayMetrics;
import dev.llmgateway.proxy.ProxyCall;
import dev.llmgateway.testutil.ClientResponse;
import dev.llmgateway.testutil.Exchanges;
import dev.llmgateway.testutil.FakeConnector;
import dev.llmgateway.testutil.GatewayHarness;
import dev.llmgateway.testutil.JsonPath;
import dev.llmgateway.testutil.RecordingObserver;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ProxyHandler} starts one call per exchange and passes it the connection's events: the client leaving
 * (cancel), the drain deadline, and the client taking bytes again (backpressure); the calls are real, their
 * upstream a {@link FakeConnector}.
 */
class ProxyHandlerTest {
    private static final String CHAT = "{\"model\":\"fast\",\"stream\":true,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static final String EVENT = "data: {\"model\":\"fast\",\"choices\":[]}\n\n";

    private final FakeConnector connector = new FakeConnector();
    private final RecordingObserver observer = new RecordingObserver();
    private final EmbeddedChannel channel = new EmbeddedChannel(
            new ProxyHandler(ProxyCall.factory(connector, new GatewayMetrics())));
    private final Snapshot snapshot = Exchanges.snapshot(GatewayHarness.openAiConfig(Exchanges.UNUSED_BASE_URL, """

            [models."fast"]
            provider = "up"
            """));

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    /** Hands the handler an exchange as the model-route handler would; returns the session its call took. */
    private FakeConnector.Session startCall() {
        Exchange exchange = Exchanges.routed(channel, snapshot, "/v1/chat/completions", CHAT, observer);
        channel.writeInbound(exchange);
        return connector.last();
    }

    @Test
    void anExchangeStartsACallThatSendsItUpstream() {
        FakeConnector.Session session = startCall();
        assertTrue(session.sent());
        session.head(200, "text/event-stream");
        session.last(EVENT + "data: [DONE]\n\n");
        assertEquals(EVENT + "data: [DONE]\n\n", ClientResponse.read(channel).body());
        assertEquals(Outcome.COMPLETED, observer.only().outcome());
        assertNull(channel.readInbound(), "the proxy is the end of the line");
    }

    @Test
    void anythingElseIsReleased() {
        FullHttpRequest stray = Exchanges.request(HttpMethod.GET, "/", "stray");
        channel.writeInbound(stray);
        assertEquals(0, stray.refCnt());
        assertEquals(0, connector.sessions());
    }

    @Test
    void theClientLeavingCancelsTheCall() {
        FakeConnector.Session session = startCall();
        channel.close();
        assertTrue(session.aborted(), "the upstream connection is closed, not pooled");
        assertEquals(Outcome.CANCELLED_BY_CLIENT, observer.only().outcome());
    }

    @Test
    void aCallThatEndedIsNotCancelledByALaterClose() {
        FakeConnector.Session session = startCall();
        session.head(200, "text/event-stream");
        session.last("data: [DONE]\n\n");
        channel.close();
        assertFalse(session.aborted());
        assertEquals(Boolean.TRUE, session.finishedReusable());
    }

    @Test
    void theDrainDeadlineEndsTheCallWithADrainingError() {
        FakeConnector.Session session = startCall();
        channel.pipeline().fireUserEventTriggered(DrainHandler.Event.DEADLINE);
        assertTrue(session.aborted());
        ClientResponse response = ClientResponse.read(channel);
        assertEquals(503, response.status());
        assertEquals("draining", JsonPath.read(response.body(), "error", "code"));
        assertEquals(Outcome.DRAINED, observer.only().outcome());
    }

    @Test
    void theClientTakingBytesAgainResumesTheUpstream() {
        FakeConnector.Session session = startCall();
        session.head(200, "text/event-stream");
        channel.unsafe().outboundBuffer().setUserDefinedWritability(1, false);
        session.content(EVENT);
        assertTrue(session.paused());

        channel.unsafe().outboundBuffer().setUserDefinedWritability(1, true);
        channel.runPendingTasks(); // the writability event is fired on the loop's next turn
        assertFalse(session.paused());
        session.last("data: [DONE]\n\n");
    }
}
