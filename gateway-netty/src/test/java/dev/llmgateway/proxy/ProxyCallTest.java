package dev.llmgateway.proxy;

import dev.llmgateway.accesslog.ExchangeRecord;
import dev.llmgateway.accesslog.Outcome;
import dev.llmgateway.exchange.Exchange;
import dev.llmgateway.metrics.GatewayMetrics;
import dev.llmgateway.server.Snapshot;
import dev.llmgateway.testutil.ClientResponse;
import dev.llmgateway.testutil.Exchanges;
import dev.llmgateway.testutil.FakeConnector;
import dev.llmgateway.testutil.GatewayHarness;
import dev.llmgateway.testutil.JsonPath;
import dev.llmgateway.testutil.RecordingObserver;
import dev.llmgateway.upstream.CircuitBreaker;
import dev.llmgateway.upstream.RefusedStreamException;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.llmgateway.proxy.ProxyCall.State.AWAITING_HEAD;
import static dev.llmgateway.proxy.ProxyCall.State.BACKING_OFF;
import static dev.llmgateway.proxy.ProxyCall.State.CONNECTING;
import static dev.llmgateway.proxy.ProxyCall.State.DONE;
import static dev.llmgateway.proxy.ProxyCall.State.HOLDING_ERROR;
import static dev.llmgateway.proxy.ProxyCall.State.RELAYING;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ProxyCall}'s state machine (docs/ARCHITECTURE.md §4), one transition or event per test, against a
 * {@link FakeConnector} whose sessions the test answers by hand and a client that is an EmbeddedChannel: its event
 * loop runs the call's timers, so {@code advanceTimeBy} drives the timeouts and the backoff. Each test checks the
 * buffers the call let go of; the leak extension checks the rest.
 */
class ProxyCallTest {
    private static final String CONFIG = GatewayHarness.openAiConfig(Exchanges.UNUSED_BASE_URL, """
            # more of [providers.up]
            first_byte_timeout = "5s"

            [providers.backup]
            type = "openai_compatible"
            base_url = "http://127.0.0.1:9/backup"
            api_keys = ["sk-backup"]

            [models."fast"]
            provider = "up"
            api_model = "up-model"

            [models."once"]
            provider = "up"
            api_model = "up-model"
            max_attempts = 1

            [models."guarded"]
            provider = "up"
            api_model = "up-model"
            max_attempts = 1
            fallbacks = ["spare"]

            [models."spare"]
            provider = "backup"
            api_model = "backup-model"

            [models."quiet"]
            provider = "up"
            api_model = "up-model"
            idle_timeout = "30ms"

            [models."bounded"]
            provider = "up"
            api_model = "up-model"
            total_timeout = "10s"
            """);
    private static final String EVENT = "data: {\"id\":\"c1\",\"model\":\"up-model\",\"choices\":[{\"index\":0,"
            + "\"delta\":{\"content\":\"hi\"}}]}\n\n";
    private static final String DONE_EVENT = "data: [DONE]\n\n";
    private static final String COMPLETION = "{\"id\":\"c1\",\"object\":\"chat.completion\",\"model\":\"%s\","
            + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"hi\"}}]}";
    private static final String OVERLOADED = "{\"error\":{\"message\":\"overloaded\",\"type\":\"server_error\"}}";
    private static final String JSON = "application/json";
    private static final String SSE = "text/event-stream";

    private final EmbeddedChannel downstream = new EmbeddedChannel();
    private final FakeConnector connector = new FakeConnector();
    private final RecordingObserver observer = new RecordingObserver();
    private final List<ProxyCall> ended = new ArrayList<>();
    private final Snapshot snapshot = Exchanges.snapshot(CONFIG);
    private Exchange exchange;

    /** The loop's clock moves only when a test advances it: no timer fires while a cold JVM is slow. */
    @BeforeEach
    void freezeTheClock() {
        downstream.freezeTime();
    }

    @AfterEach
    void releaseTheClient() {
        downstream.finishAndReleaseAll();
    }

    private ProxyCall start(String model, boolean stream) {
        exchange = Exchanges.routed(downstream, snapshot, "/v1/chat/completions", chat(model, stream), observer);
        return ProxyCall.factory(connector, new GatewayMetrics()).start(exchange, ended::add);
    }

    private static String chat(String model, boolean stream) {
        return "{\"model\":\"" + model + "\"," + (stream ? "\"stream\":true,\"stream_options\":{\"include_usage\":true},"
                : "") + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    }

    /** The call is over and holds nothing: it told its handler, and the client's request (and so the body every
     * attempt sent, a slice of it) is released. */
    private void assertOver(ProxyCall call) {
        assertEquals(DONE, call.state());
        assertEquals(List.of(call), ended);
        assertEquals(0, exchange.request().refCnt());
    }

    private void advance(long amount, TimeUnit unit) {
        downstream.advanceTimeBy(amount, unit);
        downstream.runScheduledPendingTasks();
    }

    @Test
    void aStreamGoesFromConnectingToAwaitingHeadToRelayingToDone() {
        connector.holdNext();
        ProxyCall call = start("fast", true);
        assertEquals(CONNECTING, call.state());

        FakeConnector.Session session = connector.complete();
        assertEquals(AWAITING_HEAD, call.state());
        assertEquals("/v1/chat/completions", session.uri());
        assertEquals("up-model", JsonPath.read(session.body(), "model"));
        assertEquals("Bearer sk-upstream-secret", session.header("authorization"));

        session.head(200, SSE);
        assertEquals(RELAYING, call.state());
        HttpContent read = session.content(EVENT);
        assertEquals(0, read.refCnt(), "the event was copied into the client's chunk and the read released");
        ClientResponse first = ClientResponse.read(downstream);
        assertEquals(200, first.status());
        assertEquals("chunked", first.header("transfer-encoding"));
        assertEquals(List.of(EVENT.replace("up-model", "fast")), first.chunks());

        session.last(DONE_EVENT);
        assertOver(call);
        ClientResponse end = ClientResponse.read(downstream);
        assertEquals(DONE_EVENT, end.body());
        assertTrue(end.ended());
        assertEquals(Boolean.TRUE, session.finishedReusable());
        ExchangeRecord record = observer.only();
        assertEquals(200, record.status());
        assertEquals(Outcome.COMPLETED, record.outcome());
        assertEquals(1, record.attempts());
    }

    /** The usage request the gateway adds is direct memory like the rest: a heap part makes the socket copy it all. */
    @Test
    void aStreamSentWithTheUsageRequestAddedIsWritableWithoutACopy() {
        exchange = Exchanges.routed(downstream, snapshot, "/v1/chat/completions",
                "{\"model\":\"fast\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                observer);
        ProxyCall call = ProxyCall.factory(connector, new GatewayMetrics()).start(exchange, ended::add);
        FakeConnector.Session session = connector.last();
        assertEquals("true", JsonPath.read(session.body(), "stream_options", "include_usage"));
        assertTrue(session.bodyDirect(), "a heap part in " + session.body());
        session.head(200, SSE);
        session.last(DONE_EVENT);
        assertOver(call);
    }

    @Test
    void aJsonBodyIsRelayedWholeOnceItsLastPieceCame() {
        ProxyCall call = start("fast", false);
        FakeConnector.Session session = connector.last();
        session.head(200, JSON);
        assertEquals(RELAYING, call.state());
        String body = COMPLETION.formatted("up-model");
        session.content(body.substring(0, 40));
        assertEquals(-1, ClientResponse.read(downstream).status(), "nothing goes out before the body is whole");

        session.last(body.substring(40));
        assertOver(call);
        ClientResponse response = ClientResponse.read(downstream);
        assertEquals(200, response.status());
        assertEquals("fast", JsonPath.read(response.body(), "model"));
        assertEquals(String.valueOf(response.body().length()), response.header("content-length"));
    }

    @Test
    void aRetryableErrorIsHeldWholeThenRetriedAfterTheBackoff() {
        ProxyCall call = start("fast", false);
        FakeConnector.Session first = connector.last();
        first.head(503, JSON, "retry-after", "1");
        assertEquals(HOLDING_ERROR, call.state());
        HttpContent held = first.last(OVERLOADED);
        assertEquals(BACKING_OFF, call.state());
        assertEquals(1, held.refCnt(), "the held answer is kept in case no retry can be made");
        assertEquals(Boolean.TRUE, first.finishedReusable(), "its keep-alive connection goes back to the pool");
        assertEquals(-1, ClientResponse.read(downstream).status(), "the client saw nothing of it");

        advance(999, TimeUnit.MILLISECONDS);
        assertEquals(BACKING_OFF, call.state(), "the provider asked for one second");
        advance(1, TimeUnit.MILLISECONDS);
        assertEquals(AWAITING_HEAD, call.state());
        assertEquals(0, held.refCnt(), "the held answer is dropped once the retry is made");
        FakeConnector.Session second = connector.last();
        second.head(200, JSON);
        second.last(COMPLETION.formatted("up-model"));
        assertOver(call);
        ClientResponse response = ClientResponse.read(downstream);
        assertEquals(200, response.status());
        assertEquals("2", response.header(Exchange.ATTEMPTS_HEADER));
    }

    @Test
    void aCircuitOpenedByOthersDuringTheBackoffGivesTheClientItsOwnHeldAnswer() {
        ProxyCall call = start("fast", false);
        FakeConnector.Session first = connector.last();
        first.head(503, JSON, "retry-after", "1");
        HttpContent held = first.last(OVERLOADED);
        assertEquals(BACKING_OFF, call.state());
        CircuitBreaker breaker = snapshot.providers().get("up").breaker();
        long now = System.nanoTime();
        for (int i = 0; i < 5; i++) { // other exchanges' failures open the circuit meanwhile
            breaker.record(breaker.tryAcquire(now), false, now);
        }

        advance(1, TimeUnit.SECONDS);

        assertOver(call);
        assertEquals(1, connector.sessions(), "the open circuit was not called");
        ClientResponse response = ClientResponse.read(downstream);
        assertEquals(503, response.status());
        assertEquals("overloaded", JsonPath.read(response.body(), "error", "message"), "the provider's own answer");
        assertEquals(0, held.refCnt());
    }

    @Test
    void aConnectFailureThatOpensTheCircuitIsTheClientsAnswer() {
        CircuitBreaker breaker = snapshot.providers().get("up").breaker();
        long now = System.nanoTime();
        for (int i = 0; i < 4; i++) { // one failure short of opening
            breaker.record(breaker.tryAcquire(now), false, now);
        }
        connector.failNext(new ConnectException("Connection refused"));

        ProxyCall call = start("fast", false);

        assertOver(call);
        assertEquals(1, connector.providers().size(), "the circuit it opened refused a second attempt");
        ClientResponse response = ClientResponse.read(downstream);
        assertEquals(502, response.status());
        assertEquals("upstream_unreachable", JsonPath.read(response.body(), "error", "code"));
    }

    @Test
    void aRateLimitNobodyCanRetryIsHeldWholeThenPassedOn() {
        ProxyCall call = start("fast", false);
        FakeConnector.Session session = connector.last();
        session.head(429, JSON);
        assertEquals(HOLDING_ERROR, call.state());
        session.last("{\"error\":{\"message\":\"slow down\",\"type\":\"requests\",\"code\":\"rate_limit_exceeded\"}}");
        assertOver(call);
        ClientResponse response = ClientResponse.read(downstream);
        assertEquals(429, response.status());
        assertEquals("slow down", JsonPath.read(response.body(), "error", "message"));
        assertEquals(1, connector.sessions(), "the only key rests: no second attempt");
        assertEquals(Boolean.TRUE, session.finishedReusable());
    }

    @Test
    void aRouteWhoseAttemptsRanOutFallsBackToTheNextProvider() {
        ProxyCall call = start("guarded", false);
        FakeConnector.Session first = connector.last();
        first.head(503, JSON);
        assertEquals(HOLDING_ERROR, call.state(), "held on the last attempt: a fallback may take it");
        first.last(OVERLOADED);

        assertEquals(AWAITING_HEAD, call.state());
        assertEquals(List.of("up", "backup"), connector.providers());
        FakeConnector.Session second = connector.last();
        assertEquals("/backup/chat/completions", second.uri());
        assertEquals("backup-model", JsonPath.read(second.body(), "model"));
        assertEquals("Bearer sk-backup", second.header("authorization"));

        second.head(200, JSON);
        second.last(COMPLETION.formatted("backup-model"));
        assertOver(call);
        ClientResponse response = ClientResponse.read(downstream);
        assertEquals("guarded", JsonPath.read(response.body(), "model"), "the client sees the model it asked for");
        assertEquals("backup", response.header(Exchange.PROVIDER_HEADER));
    }

    @Test
    void aConnectFailureIsRetriedAndTheLastOneAnswered502() {
        connector.failNext(new ConnectException("refused"));
        connector.failNext(new ConnectException("refused again"));
        ProxyCall call = start("fast", false);
        assertEquals(BACKING_OFF, call.state());

        advance(RetryPolicy.BASE_DELAY_NANOS, TimeUnit.NANOSECONDS);
        assertOver(call);
        ClientResponse response = ClientResponse.read(downstream);
        assertEquals(502, response.status());
        assertEquals("upstream_unreachable", JsonPath.read(response.body(), "error", "code"));
        assertEquals(Outcome.UPSTREAM_ERROR, observer.only().outcome());
        assertEquals(2, connector.providers().size());
    }

    @Test
    void aReusedConnectionThatDiesBeforeItsHeadIsRetriedOnceForFree() {
        connector.reuseNext();
        ProxyCall call = start("once", false);
        FakeConnector.Session stale = connector.last();
        connector.reuseNext();
        stale.fail(new IOException("connection reset"));
        assertTrue(stale.aborted());
        assertEquals(AWAITING_HEAD, call.state(), "at once, without a backoff, though max_attempts is 1");

        connector.last().fail(new IOException("reset again"));
        assertOver(call);
        assertEquals(502, ClientResponse.read(downstream).status(), "only one free retry");
        assertEquals(2, connector.sessions());
    }

    @Test
    void aStreamTheProviderRefusedUnprocessedIsRetriedOnceForFreeOnAFreshConnectionToo() {
        ProxyCall call = start("once", false);
        FakeConnector.Session refused = connector.last();
        refused.fail(new RefusedStreamException("RST_STREAM REFUSED_STREAM"));
        assertTrue(refused.aborted());
        assertEquals(AWAITING_HEAD, call.state(), "at once, without a backoff, though max_attempts is 1");

        connector.last().fail(new RefusedStreamException("refused again"));
        assertOver(call);
        assertEquals(502, ClientResponse.read(downstream).status(), "only one free retry");
        assertEquals(2, connector.sessions());
    }

    @Test
    void aFirstByteTimeoutAbortsTheAttemptAndRetriesIt() {
        ProxyCall call = start("fast", false);
        FakeConnector.Session first = connector.last();
        advance(5, TimeUnit.SECONDS);
        assertTrue(first.aborted(), "a silent connection is closed, never pooled");
        assertEquals(BACKING_OFF, call.state());

        advance(RetryPolicy.BASE_DELAY_NANOS, TimeUnit.NANOSECONDS);
        assertEquals(AWAITING_HEAD, call.state());
        advance(5, TimeUnit.SECONDS);
        assertOver(call);
        ClientResponse response = ClientResponse.read(downstream);
        assertEquals(504, response.status());
        assertEquals("upstream_timeout", JsonPath.read(response.body(), "error", "code"));
        assertEquals(Outcome.TIMEOUT, observer.only().outcome());
    }

    @Test
    void anIdleTimeoutAfterTheHeadEndsTheStreamWithAnErrorEventAndCloses() throws InterruptedException {
        ProxyCall call = start("quiet", true);
        FakeConnector.Session session = connector.last();
        session.head(200, SSE);
        session.content(EVENT);
        ClientResponse.read(downstream);

        // The idle check measures the silence in real time (the loop's clock is frozen): both have to pass.
        Thread.sleep(40);
        advance(30, TimeUnit.MILLISECONDS);
        assertOver(call);
        assertTrue(session.aborted());
        ClientResponse end = ClientResponse.read(downstream);
                assertEquals("upstream_timeout", JsonPath.read(end.body().substring("data: ".length()), "error", "code"));
        assertTrue(end.ended());
        assertFalse(downstream.isOpen());
        ExchangeRecord record = observer.only();
        assertEquals(200, record.status(), "the client had its 200 already");
        assertEquals(Outcome.TIMEOUT, record.outcome());
    }

    @Test
    void theTotalTimeoutEndsTheCallEvenWhileItWaitsForAConnection() {
        connector.holdNext();
        ProxyCall call = start("bounded", false);
        assertEquals(CONNECTING, call.state());
        advance(10, TimeUnit.SECONDS);
        assertOver(call);
        assertTrue(connector.held().isCancelled(), "the pending acquire is given up");
        assertEquals(504, ClientResponse.read(downstream).status());
    }

    @Test
    void aCancelBeforeTheHeadAbortsTheUpstreamAndLaterPiecesAreReleased() {
        ProxyCall call = start("fast", false);
        FakeConnector.Session session = connector.last();
        call.cancel();
        assertOver(call);
        assertTrue(session.aborted());
        ExchangeRecord record = observer.only();
        assertEquals(499, record.status());
        assertEquals(Outcome.CANCELLED_BY_CLIENT, record.outcome());

        session.head(200, JSON);
        HttpContent late = session.last(COMPLETION.formatted("up-model"));
        assertEquals(0, late.refCnt(), "a piece that arrives after the end is released, not relayed");
        assertEquals(-1, ClientResponse.read(downstream).status());
    }

    @Test
    void aConnectionThatArrivesAfterACancelGoesBackUnused() {
        connector.holdNext();
        ProxyCall call = start("fast", false);
        connector.held().setUncancellable();
        call.cancel();
        assertOver(call);

        FakeConnector.Session late = connector.complete();
        assertFalse(late.sent());
        assertEquals(Boolean.TRUE, late.finishedReusable());
    }

    @Test
    void aCancelMidStreamRecordsWhatTheClientWasSent() {
        ProxyCall call = start("fast", true);
        FakeConnector.Session session = connector.last();
        session.head(200, SSE);
        session.content(EVENT);
        call.cancel();
        assertOver(call);
        assertTrue(session.aborted());
        assertEquals(200, observer.only().status());
    }

    @Test
    void aDrainDeadlineBeforeTheHeadAnswers503Draining() {
        ProxyCall call = start("fast", false);
        FakeConnector.Session session = connector.last();
        call.drainExpired();
        assertOver(call);
        assertTrue(session.aborted());
        ClientResponse response = ClientResponse.read(downstream);
        assertEquals(503, response.status());
        assertEquals("draining", JsonPath.read(response.body(), "error", "code"));
        assertEquals(Outcome.DRAINED, observer.only().outcome());
    }

    @Test
    void aDrainDeadlineMidStreamEndsItWithAnErrorEventAndCloses() {
        ProxyCall call = start("fast", true);
        connector.last().head(200, SSE);
        ClientResponse.read(downstream);
        call.drainExpired();
        assertOver(call);
        ClientResponse end = ClientResponse.read(downstream);
        assertTrue(end.body().contains("\"code\":\"draining\""), end.body());
        assertTrue(end.ended());
        assertFalse(downstream.isOpen());
    }

    @Test
    void anUnwritableClientPausesTheUpstreamUntilItCanTakeMore() {
        ProxyCall call = start("fast", true);
        FakeConnector.Session session = connector.last();
        session.head(200, SSE);
        downstream.unsafe().outboundBuffer().setUserDefinedWritability(1, false);
        session.content(EVENT);
        assertTrue(session.paused());

        downstream.unsafe().outboundBuffer().setUserDefinedWritability(1, true);
        call.downstreamWritable();
        assertFalse(session.paused());
        assertEquals(RELAYING, call.state());
        session.last(DONE_EVENT);
        assertOver(call);
    }

    @Test
    void anEndpointTheProviderCannotServeIsRefusedBeforeAnyAttempt() {
        exchange = Exchanges.routed(downstream, snapshot, "/v1/messages/count_tokens",
                "{\"model\":\"fast\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", observer);
        ProxyCall call = ProxyCall.factory(connector, new GatewayMetrics()).start(exchange, ended::add);
        assertOver(call);
        assertTrue(connector.providers().isEmpty());
        ClientResponse response = ClientResponse.read(downstream);
        assertEquals(400, response.status());
        assertEquals("error", JsonPath.read(response.body(), "type"), "in Anthropic's shape");
        assertEquals("unsupported_endpoint", observer.only().errorType());
    }
}
