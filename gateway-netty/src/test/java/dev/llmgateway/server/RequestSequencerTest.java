package dev.llmgateway.server;

import dev.llmgateway.testutil.Exchanges;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Pipelined requests go on one at a time, in order, each after the previous response's end; reading waits. */
class RequestSequencerTest {
    private final EmbeddedChannel channel = new EmbeddedChannel(new RequestSequencer());

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    private static FullHttpRequest request(String uri) {
        return Exchanges.request(HttpMethod.GET, uri, "");
    }

    /** Ends the response in progress as the relay does: head, then the last piece. */
    private void respond() {
        channel.writeOutbound(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
        channel.writeOutbound(LastHttpContent.EMPTY_LAST_CONTENT);
        channel.runPendingTasks();
    }

    @Test
    void aRequestOnAnIdleConnectionGoesOnAtOnce() {
        FullHttpRequest first = request("/first");
        channel.writeInbound(first);
        assertSame(first, channel.readInbound());
        assertTrue(channel.config().isAutoRead());
        first.release();
    }

    @Test
    void aPipelinedRequestWaitsWithReadingStoppedUntilTheResponseBeforeItEnds() {
        FullHttpRequest first = request("/first");
        FullHttpRequest second = request("/second");
        channel.writeInbound(first, second);
        assertSame(first, channel.readInbound());
        assertNull(channel.readInbound(), "the second waits");
        assertFalse(channel.config().isAutoRead());

        channel.writeOutbound(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
        channel.runPendingTasks();
        assertNull(channel.readInbound(), "a head is not the response's end");
        channel.writeOutbound(LastHttpContent.EMPTY_LAST_CONTENT);
        channel.runPendingTasks();
        assertSame(second, channel.readInbound());
        assertFalse(channel.config().isAutoRead(), "reading resumes once nothing waits and the last answer ended");

        respond();
        assertTrue(channel.config().isAutoRead());
        first.release();
        second.release();
    }

    @Test
    void aHundredContinueDoesNotEndTheResponse() {
        FullHttpRequest first = request("/first");
        channel.writeInbound(first, request("/second"));
        channel.readInbound();
        channel.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
        channel.runPendingTasks();
        assertNull(channel.readInbound());
        first.release();
    }

    @Test
    void requestsStillWaitingAreReleasedWhenTheConnectionCloses() {
        FullHttpRequest first = request("/first");
        FullHttpRequest second = request("/second");
        FullHttpRequest third = request("/third");
        channel.writeInbound(first, second, third);
        channel.readInbound();
        channel.close();
        assertEquals(0, second.refCnt());
        assertEquals(0, third.refCnt());
        assertEquals(1, first.refCnt(), "the one passed on belongs to whoever took it");
        first.release();
    }
}
