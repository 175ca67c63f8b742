package dev.llmgateway.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The drain rule on one connection: idle closes now, busy closes after its response, which says so. */
class DrainHandlerTest {
    private static FullHttpRequest request() {
        return new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/health");
    }

    @Test
    void anIdleConnectionClosesWhenTheDrainStarts() {
        EmbeddedChannel channel = new EmbeddedChannel(new DrainHandler());
        channel.pipeline().fireUserEventTriggered(DrainHandler.Event.STARTED);
        assertFalse(channel.isOpen());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void aBusyConnectionAnswersWithConnectionCloseThenCloses() {
        EmbeddedChannel channel = new EmbeddedChannel(new DrainHandler());
        channel.writeInbound(request());
        ReferenceCountUtil.release(channel.readInbound());
        channel.pipeline().fireUserEventTriggered(DrainHandler.Event.STARTED);
        assertTrue(channel.isOpen(), "the request in progress finishes");

        channel.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
        assertTrue(channel.isOpen(), "100 Continue is not the response");
        HttpResponse continued = channel.readOutbound();
        assertNull(continued.headers().get(HttpHeaderNames.CONNECTION));
        ReferenceCountUtil.release(continued);

        channel.writeOutbound(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
        HttpResponse head = channel.readOutbound();
        assertEquals("close", head.headers().get(HttpHeaderNames.CONNECTION));
        assertTrue(channel.isOpen());
        channel.writeOutbound(LastHttpContent.EMPTY_LAST_CONTENT);
        assertFalse(channel.isOpen(), "closed after the response's end");
        channel.finishAndReleaseAll();
    }

    @Test
    void theDeadlineGoesOnToTheProxyHandler() {
        Object[] seen = new Object[1];
        EmbeddedChannel channel = new EmbeddedChannel(new DrainHandler(),
                new ChannelInboundHandlerAdapter() {
                    @Override
                    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                        seen[0] = evt;
                    }
                });
        channel.pipeline().fireUserEventTriggered(DrainHandler.Event.DEADLINE);
        assertEquals(DrainHandler.Event.DEADLINE, seen[0]);
        assertFalse(channel.finishAndReleaseAll());
    }
}
