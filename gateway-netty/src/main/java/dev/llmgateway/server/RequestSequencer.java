package dev.llmgateway.server;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.DecoderResultProvider;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

import java.util.ArrayDeque;

/**
 * HTTP/1.1 pipelining (RFC 9112 §9.3.2): responses must go out in request order, so only one request at a
 * time is passed on; requests that arrive meanwhile wait here, and reading stops until the current response has
 * been written to its end. Sits after the body aggregator and before the first handler that may answer.
 * A request that failed on the way (undecodable or refused: {@link RequestRefusal}) is the connection's last:
 * it is answered and the connection closes, so whatever was decoded after it is released here, never served.
 * Owns the queued requests until it passes them on; releases them if the connection closes first.
 */
public final class RequestSequencer extends ChannelDuplexHandler {
    private final ArrayDeque<Object> waiting = new ArrayDeque<>(2);
    private boolean busy;
    /** A failed request has come: nothing after it is served. */
    private boolean lastCame;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (lastCame) {
            ReferenceCountUtil.release(msg);
            return;
        }
        lastCame = msg instanceof DecoderResultProvider decoded && decoded.decoderResult().isFailure();
        if (busy) {
            waiting.add(msg);
            ctx.channel().config().setAutoRead(false);
            return;
        }
        busy = true;
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        boolean ends = endsResponse(msg);
        ctx.write(msg, promise);
        if (ends && busy) {
            busy = false;
            if (!waiting.isEmpty() || !ctx.channel().config().isAutoRead()) {
                // The next request starts on a fresh stack: this write may be deep inside the previous exchange.
                ctx.executor().execute(() -> next(ctx));
            }
        }
    }

    /** The last piece of a final response: a 1xx such as 100 Continue is followed by the real answer. */
    static boolean endsResponse(Object msg) {
        return msg instanceof LastHttpContent && !(msg instanceof HttpResponse response
                && response.status().codeClass() == HttpStatusClass.INFORMATIONAL);
    }

    private void next(ChannelHandlerContext ctx) {
        if (busy || !ctx.channel().isActive()) {
            return;
        }
        Object msg = waiting.poll();
        if (msg != null) {
            busy = true;
            ctx.fireChannelRead(msg);
        } else if (!ctx.channel().config().isAutoRead()) {
            ctx.channel().config().setAutoRead(true);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        releaseWaiting();
        super.channelInactive(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releaseWaiting();
    }

    private void releaseWaiting() {
        Object msg;
        while ((msg = waiting.poll()) != null) {
            ReferenceCountUtil.release(msg);
        }
    }
}
