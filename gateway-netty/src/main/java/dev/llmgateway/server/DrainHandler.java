package dev.llmgateway.server;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * Graceful drain on one client connection. Sits right after the keep-alive handler, so the
 * {@code Connection: close} it puts on a response makes that handler close the connection once the response has
 * been written. It knows whether a request is in progress (its head read, its response not yet ended). When
 * {@link ClientConnections} announces {@link Event#STARTED}: an idle connection closes at once; a busy one finishes
 * its response, which says {@code Connection: close} when its head is still to be written, and closes after it
 * (a stream whose head already went out just closes at its end). {@link Event#DEADLINE} passes on to the proxy
 * handler, which ends what is still running.
 */
public final class DrainHandler extends ChannelDuplexHandler {
    /**
     * User events that {@link ClientConnections} fires on every client channel: the drain {@link #STARTED}, its
     * {@link #DEADLINE} passed, and {@link #STOP}: the connection is closed right after, whatever runs on it (an
     * HTTP/2 connection resets its streams first rather than wait for them, {@link Http2GracefulClose}).
     */
    public enum Event { STARTED, DEADLINE, STOP }

    private int pending;
    private boolean draining;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest) {
            pending++;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt != Event.STARTED) {
            ctx.fireUserEventTriggered(evt);
            return;
        }
        draining = true;
        if (pending == 0) {
            ctx.close();
        }
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        boolean informational = msg instanceof HttpResponse response
                && response.status().codeClass() == HttpStatusClass.INFORMATIONAL;
        if (draining && msg instanceof HttpResponse response && !informational) {
            HttpUtil.setKeepAlive(response, false);
        }
        if (msg instanceof LastHttpContent && !informational) {
            pending = Math.max(0, pending - 1);
            if (draining) {
                promise = promise.unvoid().addListener(ChannelFutureListener.CLOSE);
            }
        }
        ctx.write(msg, promise);
    }
}
