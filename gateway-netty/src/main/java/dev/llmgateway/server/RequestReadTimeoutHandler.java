package dev.llmgateway.server;

import dev.llmgateway.dialect.ApiError;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
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
 * last pending response has been written; CLOSING, for good, once a response says {@code Connection: close} (no
 * further request is read). A timeout in HEADERS or BODY refuses the request with 408 ({@link RequestRefusal}): the
 * refusal goes down the pipeline in the request's place — a head-less request, or the last piece of the body being
 * read, which ends its aggregation and frees what was gathered — and the endpoint handler answers it in order and
 * closes. Slowloris clients are cut off after header_read_timeout however slowly they trickle bytes.
 */
public final class RequestReadTimeoutHandler extends ChannelDuplexHandler {
    private enum Phase { IDLE, HEADERS, BODY, BUSY, CLOSING }

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
        if (msg instanceof HttpResponse response && response.status().codeClass() != HttpStatusClass.INFORMATIONAL
                && !HttpUtil.isKeepAlive(response)) {
            enter(ctx, Phase.CLOSING);
        }
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
        if (phase == Phase.CLOSING) {
            return;
        }
        cancelTimer();
        phase = next;
        long nanos = switch (next) {
            case IDLE -> idleNanos;
            case HEADERS -> headerNanos;
            case BODY -> bodyNanos;
            case BUSY, CLOSING -> 0;
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
        ApiError timeout = ApiError.requestTimeout();
        ctx.fireChannelRead(expired == Phase.HEADERS ? RequestRefusal.withoutHead(timeout)
                : RequestRefusal.refuse(new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER), timeout));
        ctx.fireChannelReadComplete();
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
