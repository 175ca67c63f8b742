package dev.llmgateway.server;

import dev.llmgateway.testutil.ClientResponse;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.DecoderResultProvider;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link RequestReadTimeoutHandler}'s phases on a clock the test moves: IDLE closes quietly after idle_timeout,
 * HEADERS and BODY refuse the request with 408 after theirs, BUSY (the request is in, the answer is not out) is never
 * timed, nor anything after an answer that closes the connection.
 */
class RequestReadTimeoutHandlerTest {
    private static final long IDLE_SECONDS = 60;
    private static final long HEADER_SECONDS = 10;
    private static final long BODY_SECONDS = 20;

    private final EmbeddedChannel channel = new EmbeddedChannel(new RequestReadTimeoutHandler(
            Duration.ofSeconds(IDLE_SECONDS), Duration.ofSeconds(HEADER_SECONDS), Duration.ofSeconds(BODY_SECONDS)));

    /** The clock moves only when a test advances it (the idle timer armed on registration, a moment before). */
    RequestReadTimeoutHandlerTest() {
        channel.freezeTime();
    }

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    private void advance(long seconds) {
        channel.advanceTimeBy(seconds, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
    }

    /** The timeout goes on in the request's place, refused with 408, for the endpoint handler to answer in order. */
    private <T> T assertRefusedWith408(Class<T> refusedType) {
        Object last = null;
        for (Object msg; (msg = channel.readInbound()) != null; ) {
            ReferenceCountUtil.release(last);
            last = msg;
        }
        assertTrue(refusedType.isInstance(last), "refused in the request's place: " + last);
        DecoderResult result = ((DecoderResultProvider) last).decoderResult();
        ReferenceCountUtil.release(last);
        assertEquals(408, RequestRefusal.errorFor(result.cause()).status().code());
        assertEquals(-1, ClientResponse.read(channel).status(), "answered by the endpoint handler, not here");
        assertTrue(channel.isOpen(), "closed by the answer, not here");
        return refusedType.cast(last);
    }

    private void requestRead() {
        channel.writeInbound(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/v1/chat/completions"),
                LastHttpContent.EMPTY_LAST_CONTENT);
    }

    private void respond() {
        channel.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
    }

    @Test
    void aSilentConnectionClosesQuietlyAfterTheIdleTimeout() {
        advance(IDLE_SECONDS - 1);
        assertTrue(channel.isOpen());
        advance(1);
        assertFalse(channel.isOpen());
        assertEquals(-1, ClientResponse.read(channel).status(), "nothing to answer: no request began");
    }

    @Test
    void aHeadStartedButNotFinishedGets408AfterTheHeaderTimeout() {
        channel.pipeline().fireChannelReadComplete(); // a read that decoded nothing: part of a head
        advance(HEADER_SECONDS - 1);
        assertTrue(channel.isOpen());
        advance(1);
        assertEquals(RequestRefusal.NO_TARGET, assertRefusedWith408(FullHttpRequest.class).uri());
    }

    @Test
    void aBodyNotFinishedGets408AfterTheBodyTimeout() {
        channel.writeInbound(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/v1/chat/completions"));
        advance(BODY_SECONDS - 1);
        assertTrue(channel.isOpen());
        advance(1);
        assertRefusedWith408(LastHttpContent.class);
    }

    @Test
    void nothingIsTimedOnceAnAnswerClosesTheConnection() {
        channel.writeInbound(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/v1/chat/completions"));
        DefaultFullHttpResponse refusal = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE);
        refusal.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        channel.writeOutbound(refusal);
        ReferenceCountUtil.release(channel.readOutbound());
        ReferenceCountUtil.release(channel.readInbound());
        advance(TimeUnit.HOURS.toSeconds(1));
        assertNull(channel.readInbound(), "no 408 after the answer that ends the connection");
        assertTrue(channel.isOpen(), "the closing answer's own close is not this handler's");
    }

    @Test
    void aRequestWaitingForItsAnswerIsNotTimedThenTheIdleClockRestarts() {
        requestRead();
        advance(TimeUnit.HOURS.toSeconds(1));
        assertTrue(channel.isOpen(), "upstream time is not the client's fault");

        respond();
        advance(IDLE_SECONDS - 1);
        assertTrue(channel.isOpen());
        advance(1);
        assertFalse(channel.isOpen());
    }

    @Test
    void pipelinedRequestsKeepTheConnectionBusyUntilTheLastAnswer() {
        requestRead();
        requestRead();
        respond();
        advance(IDLE_SECONDS);
        assertTrue(channel.isOpen(), "one answer is still to come");

        respond();
        advance(IDLE_SECONDS);
        assertFalse(channel.isOpen());
    }

    @Test
    void aHundredContinueIsNotTheAnswer() {
        requestRead();
        channel.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
        advance(IDLE_SECONDS);
        assertTrue(channel.isOpen());
    }

    @Test
    void requestsOneAfterAnotherScheduleNothingWhileTheCheckIsPending() {
        long firstCheckIn = channel.runScheduledPendingTasks();
        // (armed on registration, a moment before the clock froze)
        assertTrue(firstCheckIn <= TimeUnit.SECONDS.toNanos(HEADER_SECONDS)
                        && firstCheckIn > TimeUnit.SECONDS.toNanos(HEADER_SECONDS - 1),
                "the check sleeps no longer than the shortest timeout, so no later phase needs it sooner: "
                        + firstCheckIn);
        for (int second = 1; second < HEADER_SECONDS; second++) {
            advance(1);
            requestRead();
            respond();
            ReferenceCountUtil.release(channel.readOutbound());
            assertEquals(firstCheckIn - TimeUnit.SECONDS.toNanos(second), channel.runScheduledPendingTasks(),
                    "the pending check is neither cancelled nor scheduled again by a request");
        }
    }

    @Test
    void aCheckThatWakesBeforeTheDeadlineSleepsForWhatIsLeft() {
        advance(HEADER_SECONDS + 5);
        requestRead();
        respond();
        ReferenceCountUtil.release(channel.readOutbound());
        // The idle deadline is now 60 s after second 15; the pending check (armed at second 10) wakes at 20, then
        // 30 ... and last at exactly 75.
        advance(IDLE_SECONDS - 1);
        assertTrue(channel.isOpen());
        advance(1);
        assertFalse(channel.isOpen());
    }
}
