package dev.llmgateway.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.ReferenceCountUtil;

import java.time.Duration;

/**
 * Lingering close (RFC 9112 §9.6; nginx's {@code lingering_close}): when the gateway answers a request it has not
 * read to its end and then closes, closing at once with the client's bytes still unread makes the kernel send a
 * reset, and a client that is still writing its body never reads the answer. So once a handler has
 * {@linkplain #arm armed} it, the close that follows becomes: half-close (the client reads the whole answer, then
 * the end of the stream), keep reading and discarding what the client still sends, and close when the client
 * closes, after {@code lingering_timeout} without a byte, after {@code lingering_time} in all, or past
 * {@code max_lingering_bytes} — whichever comes first; or at once when a graceful drain starts or the gateway stops.
 *
 * <p>An HTTP/2 stream lingers the same way (RFC 9113 §8.1 lets a server answer before the request has all come): the
 * answer's END_STREAM is its half-close, the client's DATA is read away (which gives its flow-control window back),
 * and the stream ends when the client ends it or the same limits run out — a client that sends its whole body before
 * it reads the answer (the JDK's HttpClient does) gets its 413 instead of a stream stuck without window.
 *
 * <p>First in the pipeline (a connection's or a stream's), before the HTTP codec, so that it sees every close and
 * every byte: once armed, no byte reaches the codec again (nothing after a refusal is decoded), and each read buffer
 * or frame is released here. A close that is not armed passes straight on. One scheduled check bounds the linger;
 * nothing blocks.
 */
public final class LingeringClose extends ChannelDuplexHandler {
    private enum State { OPEN, ARMED, LINGERING }

    private final long timeNanos;
    private final long timeoutNanos;
    private final long maxBytes;
    private State state = State.OPEN;
    private long discarded;
    private long startedNanos;
    private long lastReadNanos;
    /** The close that started the linger: completed when the connection really closes. */
    private ChannelPromise closing;
    private final ScheduledCheck check = new ScheduledCheck(this::check);

    public LingeringClose(Duration time, Duration timeout, long maxBytes) {
        this.timeNanos = time.toNanos();
        this.timeoutNanos = timeout.toNanos();
        this.maxBytes = maxBytes;
    }

    /**
     * Tells the connection's lingering close (when its pipeline has one) that an answer is going out while request
     * bytes may be unread: from now on the client's bytes are discarded, and the next close lingers.
     */
    public static void arm(ChannelPipeline pipeline) {
        LingeringClose lingering = pipeline.get(LingeringClose.class);
        if (lingering != null && lingering.state == State.OPEN) {
            lingering.state = State.ARMED;
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (state == State.OPEN) {
            ctx.fireChannelRead(msg);
            return;
        }
        discarded += msg instanceof ByteBuf bytes ? bytes.readableBytes()
                : msg instanceof ByteBufHolder frame ? frame.content().readableBytes() : 0;
        ReferenceCountUtil.release(msg);
        lastReadNanos = System.nanoTime();
        if (state == State.LINGERING && discarded > maxBytes) {
            finish(ctx);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (state == State.OPEN) {
            ctx.fireChannelReadComplete();
        }
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        switch (state) {
            case OPEN -> ctx.close(promise);
            case ARMED -> linger(ctx, promise);
            // Another handler closing too (keep-alive, drain, a timer): the linger decides when.
            case LINGERING -> ctx.channel().closeFuture().addListener(closed -> promise.trySuccess());
        }
    }

    private void linger(ChannelHandlerContext ctx, ChannelPromise promise) {
        if (timeNanos <= 0 || discarded > maxBytes || !clientMaySend(ctx.channel())) {
            ctx.close(promise);
            return;
        }
        state = State.LINGERING;
        closing = promise;
        startedNanos = System.nanoTime();
        lastReadNanos = startedNanos;
        if (ctx.channel() instanceof DuplexChannel duplex) {
            duplex.shutdownOutput();
        }
        // A request waiting in the sequencer turns reading off; the rest of it must still be read away.
        ctx.channel().config().setAutoRead(true);
        ctx.read();
        check.schedule(ctx, Math.min(timeNanos, timeoutNanos));
    }

    /** The client can still send: a connection whose input is open, or an HTTP/2 stream it has not ended. */
    private static boolean clientMaySend(Channel channel) {
        if (!channel.isActive()) {
            return false;
        }
        if (channel instanceof DuplexChannel duplex) {
            return !duplex.isInputShutdown();
        }
        return channel instanceof Http2StreamChannel stream && stream.stream().state().remoteSideOpen();
    }

    /** Not re-armed per read: it looks at the last read's time when it fires, and fires again if need be. */
    private void check(ChannelHandlerContext ctx) {
        if (state != State.LINGERING) {
            return;
        }
        long now = System.nanoTime();
        long untilEnd = startedNanos + timeNanos - now;
        long untilSilence = lastReadNanos + timeoutNanos - now;
        if (untilEnd <= 0 || untilSilence <= 0) {
            finish(ctx);
        } else {
            check.schedule(ctx, Math.min(untilEnd, untilSilence));
        }
    }

    private void finish(ChannelHandlerContext ctx) {
        check.cancel();
        ChannelPromise promise = closing;
        closing = null;
        ctx.close(promise != null ? promise : ctx.newPromise());
    }

    /**
     * A graceful drain, or the gateway's stop, does not wait for a lingering connection: its answer is out, nothing
     * is left to serve.
     */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if ((evt == DrainHandler.Event.STARTED || evt == DrainHandler.Event.STOP) && state == State.LINGERING) {
            finish(ctx);
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        check.cancel();
        if (closing != null) {
            // The client closed first: the held close is over too.
            ChannelPromise promise = closing;
            closing = null;
            ctx.close(promise);
        }
        super.channelInactive(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        check.cancel();
    }
}
