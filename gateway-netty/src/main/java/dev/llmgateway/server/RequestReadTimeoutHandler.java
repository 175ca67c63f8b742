package dev.llmgateway.server;

import dev.llmgateway.dialect.ApiError;
import dev.llmgateway.dialect.ClientDialect;
import dev.llmgateway.dialect.ErrorResponses;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.Future;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Bounds how long a client may take to send a request, like nginx's keepalive, client_header and client_body
 * timeouts. Sits right after the HTTP codec, so it sees request heads and body ends as they are decoded and
 * every response end on its way out. Phases: IDLE (no request bytes yet: {@code idle_timeout}, then a quiet
 * close) → HEADERS (bytes arrived, head incomplete: {@code header_read_timeout}) → BODY (head read:
 * {@code body_read_timeout}) → BUSY (request complete; upstream time is not the client's fault) → IDLE when the
 * last pending response has been written. A timeout in HEADERS or BODY answers 408 and closes. Slowloris
 * clients are cut off after header_read_timeout however slowly they trickle bytes.
 */
public final class RequestReadTimeoutHandler extends ChannelDuplexHandler {
    private enum Phase { IDLE, HEADERS, BODY, BUSY }

    private final long idleNanos;
    private final long headerNanos;
    private final long bodyNanos;
    private Phase phase = Phase.IDLE;
    private int pendingResponses;
    /** A read that decoded nothing carried part of a request head: the client has started talking. */
    private boolean decodedThisRead;
    private Future<?> timer;

    public RequestReadTimeoutHandler(Duration idle, Duration header, Duration body) {
        this.idleNanos = idle.toNanos();
        this.headerNanos = header.toNanos();
        this.bodyNanos = body.toNanos();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        enter(ctx, Phase.IDLE);
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        decodedThisRead = true;
        if (msg instanceof HttpRequest) {
            pendingResponses++;
            enter(ctx, Phase.BODY);
        }
        if (msg instanceof LastHttpContent) {
            enter(ctx, Phase.BUSY);
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        if (phase == Phase.IDLE && !decodedThisRead) {
            enter(ctx, Phase.HEADERS);
        }
        decodedThisRead = false;
        ctx.fireChannelReadComplete();
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        boolean ends = RequestSequencer.endsResponse(msg);
        ctx.write(msg, promise);
        if (ends && --pendingResponses <= 0) {
            pendingResponses = 0;
            if (phase == Phase.BUSY) {
                enter(ctx, Phase.IDLE);
            }
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        cancelTimer();
        super.channelInactive(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancelTimer();
    }

    private void enter(ChannelHandlerContext ctx, Phase next) {
        cancelTimer();
        phase = next;
        long nanos = switch (next) {
            case IDLE -> idleNanos;
            case HEADERS -> headerNanos;
            case BODY -> bodyNanos;
            case BUSY -> 0;
        };
        if (nanos > 0 && ctx.channel().isActive()) {
            timer = ctx.executor().schedule(() -> expire(ctx, next), nanos, TimeUnit.NANOSECONDS);
        }
    }

    private void expire(ChannelHandlerContext ctx, Phase expired) {
        timer = null;
        if (phase != expired || !ctx.channel().isActive()) {
            return;
        }
        if (expired == Phase.IDLE) {
            ctx.close();
            return;
        }
        FullHttpResponse timeout = ErrorResponses.response(ctx.alloc(), ClientDialect.OPENAI,
                ApiError.requestTimeout(), RequestIds.generate());
        timeout.headers().set(HttpHeaderNames.CONNECTION, "close");
        ctx.writeAndFlush(timeout).addListener(ChannelFutureListener.CLOSE);
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
