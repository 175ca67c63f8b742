package dev.llmgateway.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2Exception;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

/**
 * How an HTTP/2 client connection ends without cutting a stream, doing for the connection what keep-alive, the
 * drain handler and the idle timeout do for an HTTP/1.1 one. Sits right after the HTTP/2 codec, whose close is
 * graceful: a GOAWAY naming the last stream taken, then the close once every open stream has ended.
 * <ul>
 * <li>{@link DrainHandler.Event#STARTED}: handed to every open stream (a lingering refusal's stream ends), then
 * GOAWAY at once; the streams in flight finish, the client opens no more here;</li>
 * <li>{@link DrainHandler.Event#DEADLINE}: handed to every open stream, whose proxy handler ends its call;</li>
 * <li>{@link DrainHandler.Event#STOP}: handed to every open stream, then each is closed (RST_STREAM; its proxy
 * handler cancels its call), so the close that follows is not held for them;</li>
 * <li>{@code idle_timeout} with no stream open: GOAWAY and close, as nginx's {@code keepalive_timeout} does (PINGs
 * and half-sent headers do not keep a connection without streams alive);</li>
 * <li>a connection error the codec found in what the client sent (a rapid-reset flood: ENHANCE_YOUR_CALM, a
 * protocol error): the codec answers GOAWAY with its code and closes; that close is made to linger
 * ({@link LingeringClose}: half-close, the client's further bytes read away for a bounded time), since closing
 * with them unread would be a TCP reset that discards the GOAWAY before the client reads it.</li>
 * </ul>
 * Knows the open streams because the stream initializer registers each one. Touched only on the connection's event
 * loop (its streams share it); holds no buffer.
 */
final class Http2GracefulClose extends ChannelInboundHandlerAdapter {
    private final long idleNanos;
    private final Set<Channel> streams = new HashSet<>();
    private long idleSince = System.nanoTime();
    private final ScheduledCheck idle = new ScheduledCheck(this::checkIdle);

    Http2GracefulClose(Duration idleTimeout) {
        this.idleNanos = idleTimeout.toNanos();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (idleNanos > 0 && ctx.channel().isActive()) {
            idle.schedule(ctx, idleNanos);
        }
    }

    /** A stream of this connection is open until its channel closes. */
    void opened(Channel stream) {
        streams.add(stream);
        stream.closeFuture().addListener(closed -> {
            streams.remove(stream);
            if (streams.isEmpty()) {
                idleSince = System.nanoTime();
            }
        });
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt == DrainHandler.Event.STARTED) {
            // Told first, a refused stream's linger ends at once, as a lingering HTTP/1.1 connection's does.
            toStreams(evt);
            ctx.close();
        } else if (evt == DrainHandler.Event.DEADLINE) {
            toStreams(evt);
        } else if (evt == DrainHandler.Event.STOP) {
            for (Channel stream : Set.copyOf(streams)) {
                stream.pipeline().fireUserEventTriggered(evt); // a stream lingering after a refusal stops lingering
                stream.close();
            }
        } else {
            super.userEventTriggered(ctx, evt);
        }
    }

    private void toStreams(Object evt) {
        for (Channel stream : Set.copyOf(streams)) {
            stream.pipeline().fireUserEventTriggered(evt);
        }
    }

    /** The codec fires a connection error it found in the client's frames here before its GOAWAY and close. */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
        if (cause instanceof Http2Exception http2 && !Http2Exception.isStreamError(http2)) {
            LingeringClose.arm(ctx.pipeline());
        }
        super.exceptionCaught(ctx, cause);
    }

    /** Not re-armed per stream: it looks at when the last stream ended when it fires, and fires again if need be. */
    private void checkIdle(ChannelHandlerContext ctx) {
        if (!ctx.channel().isActive()) {
            return;
        }
        long left = streams.isEmpty() ? idleSince + idleNanos - System.nanoTime() : idleNanos;
        if (left > 0) {
            idle.schedule(ctx, left);
        } else {
            ctx.close();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        idle.cancel();
        super.channelInactive(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        idle.cancel();
    }
}
