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
 *
 * <p>The clock is lazy, like nginx's timers: entering a phase only writes its deadline. One check per connection
 * is scheduled and, when it runs, expires the phase whose deadline has passed or sleeps again for what is left;
 * no phase change schedules or cancels anything while a check is pending. A check never sleeps longer than the
 * shortest of the three timeouts, so whichever phase comes next, its deadline is never before the pending check:
 * each timeout keeps the scheduler's precision, and a connection busy with requests costs one check per that
 * shortest timeout rather than a schedule and a cancel per phase.
 */
public final class RequestReadTimeoutHandler extends ChannelDuplexHandler {
    private enum Phase { IDLE, HEADERS, BODY, BUSY, CLOSING }

    private final long idleNanos;
    private final long headerNanos;
    private final long bodyNanos;
    /** The longest a check sleeps: the shortest timeout that is on. */
    private final long longestSleepNanos;
    private Phase phase = Phase.IDLE;
    /** When the current phase expires, on the loop's ticker; meaningful only in a phase with a timeout. */
    private long deadlineNanos;
    private int pendingResponses;
    /** A read that decoded nothing carried part of a request head: the client has started talking. */
    private boolean decodedThisRead;
    private ChannelHandlerContext ctx;
    private final Runnable check = this::check;
    /** The pending check, or null: then no phase with a timeout has been entered since the last one ran. */
    private Future<?> checkTask;

    public RequestReadTimeoutHandler(Duration idle, Duration header, Duration body) {
        this.idleNanos = idle.toNanos();
        this.headerNanos = header.toNanos();
        this.bodyNanos = body.toNanos();
        this.longestSleepNanos = shortestOn(idleNanos, shortestOn(headerNanos, bodyNanos));
    }

    private static long shortestOn(long a, long b) {
        return a <= 0 ? b : b <= 0 ? a : Math.min(a, b);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
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
        phase = next;
        long nanos = timeout(next);
        if (nanos > 0 && ctx.channel().isActive()) {
            long now = ctx.executor().ticker().nanoTime();
            deadlineNanos = now + nanos;
            if (checkTask == null) {
                sleep(now);
            }
        }
    }

    private long timeout(Phase phase) {
        return switch (phase) {
            case IDLE -> idleNanos;
            case HEADERS -> headerNanos;
            case BODY -> bodyNanos;
            case BUSY, CLOSING -> 0;
        };
    }

    private void sleep(long now) {
        checkTask = ctx.executor().schedule(check, Math.min(deadlineNanos - now, longestSleepNanos),
                TimeUnit.NANOSECONDS);
    }

    private void check() {
        checkTask = null;
        if (timeout(phase) <= 0 || !ctx.channel().isActive()) {
            return;
        }
        long now = ctx.executor().ticker().nanoTime();
        if (now - deadlineNanos < 0) {
            sleep(now);
            return;
        }
        Phase expired = phase;
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
        if (checkTask != null) {
            checkTask.cancel(false);
            checkTask = null;
        }
    }
}
