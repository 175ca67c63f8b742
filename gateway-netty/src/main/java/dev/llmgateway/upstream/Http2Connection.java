package dev.llmgateway.upstream;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameStreamException;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.TimeUnit;

/**
 * One multiplexed HTTP/2 connection to a provider, and the last handler of its pipeline (docs/ARCHITECTURE.md §1):
 * it learns the provider's SETTINGS and GOAWAY and opens one stream per request. A stream's channel runs
 * {@code h2-stream-codec} ({@link Http2StreamFrameToHttpObjectCodec}) → {@code h2-stream} ({@link Http2StreamAdapter})
 * → {@code response} ({@link UpstreamConnection}), so to the proxy a stream is a connection that carries one request,
 * with the same session, response handling and backpressure (a paused stream stops returning its own flow-control
 * window; the connection's window is made large enough that paused streams never stop the others). Closing a stream
 * before its end resets it (RST_STREAM CANCEL).
 *
 * <p>States: {@link State#OPENING} until the provider's first SETTINGS (its stream limit is known only then),
 * {@link State#READY} while it takes new streams up to that limit, {@link State#GOING_AWAY} once the provider sent
 * GOAWAY or the pool retired it: the streams it carries finish, no new one starts, and it closes after the last.
 * A connection without streams for {@code pool_idle_timeout} closes. Lives on its pool's event loop.
 *
 * <p>Ownership: SETTINGS frames (not reference-counted) end here; every other frame passes on to the multiplexer,
 * which routes stream frames to their stream and releases the rest; a stream's buffers are its own pipeline's
 * ({@link UpstreamConnection}).
 */
final class Http2Connection extends ChannelInboundHandlerAdapter implements UpstreamConnection.Owner {
    /**
     * What one connection may hold unread across its streams: far above what the streams' own windows allow, so
     * that a stream whose client stopped reading holds back only itself.
     */
    static final int CONNECTION_WINDOW_BYTES = 1 << 30;

    enum State { OPENING, READY, GOING_AWAY }

    /**
     * A stream's handlers before its {@link UpstreamConnection}, both stateless and shared by every stream: a stream
     * opens without building an initializer or codec of its own.
     */
    private static final ChannelInitializer<Http2StreamChannel> STREAM_HANDLERS = new SharedStreamHandlers();

    private final Http2Pool pool;
    private final long idleTimeoutNanos;
    private Channel channel;
    private Http2FrameCodec codec;
    /** Opens this connection's streams with the handlers every stream shares; each gets its own response handler. */
    private Http2StreamChannelBootstrap streamBootstrap;
    private State state = State.OPENING;
    /** Streams opened and not yet closed. */
    private int streams;
    /** The provider's SETTINGS_MAX_CONCURRENT_STREAMS; unlimited until it names one. */
    private long maxStreams = Long.MAX_VALUE;
    private boolean servedBefore;
    private long idleSinceNanos;
    private ScheduledFuture<?> idleCheck;

    Http2Connection(Http2Pool pool, long idleTimeoutNanos) {
        this.pool = pool;
        this.idleTimeoutNanos = idleTimeoutNanos;
    }

    Channel channel() {
        return channel;
    }

    /** The pool made its channel; over TLS this handler joins the pipeline only once ALPN chose {@code h2}. */
    void opened(Channel channel) {
        this.channel = channel;
        this.streamBootstrap = new Http2StreamChannelBootstrap(channel).handler(STREAM_HANDLERS);
    }

    /** The TLS handshake failed. */
    void openFailed(Throwable cause) {
        pool.openFailed(this, cause);
    }

    /** ALPN ended with another protocol than {@code h2} (the provider's choice, or HTTP/1.1 when it chose none). */
    void http2NotChosen(String protocol) {
        pool.http2NotChosen(this, protocol);
    }

    State state() {
        return state;
    }

    int streams() {
        return streams;
    }

    /** True while a new stream may start here. */
    boolean hasRoom() {
        return state == State.READY && streams < maxStreams && channel.isActive();
    }

    /** Opens a stream for one request into {@code session}; the caller checked {@link #hasRoom}. */
    void openStream(Promise<UpstreamSession> session) {
        streams++;
        UpstreamConnection stream = new UpstreamConnection(this, servedBefore);
        servedBefore = true;
        Future<Http2StreamChannel> opened = streamBootstrap.open();
        opened.addListener(done -> {
            if (!done.isSuccess()) {
                streamEnded();
                session.tryFailure(done.cause());
                return;
            }
            Http2StreamChannel streamChannel = opened.getNow();
            streamChannel.pipeline().addLast(UpstreamChannelInitializer.RESPONSE, stream);
            streamChannel.closeFuture().addListener(closed -> streamEnded());
            if (!session.trySuccess(stream)) {
                streamChannel.close(); // its requester gave up meanwhile; nothing was sent on it
            }
        });
    }

    /** A stream's exchange is done with it: an unfinished stream is reset; the connection stays for others. */
    @Override
    public void release(UpstreamConnection stream, boolean reusable) {
        stream.channel().close();
    }

    /** No new streams: those running finish, then the connection closes. */
    void goAway() {
        state = State.GOING_AWAY;
        if (streams == 0) {
            channel.close();
        } else {
            pool.roomChanged(); // requests waiting for room here go elsewhere
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        codec = ctx.pipeline().get(Http2FrameCodec.class);
    }

    /**
     * Sits before the stream multiplexer: a GOAWAY is known here before the streams it refuses hear of it, so the
     * requests they retry at once never land on this connection again.
     */
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Http2SettingsFrame settings) {
            Long max = settings.settings().maxConcurrentStreams();
            if (max != null) {
                maxStreams = max;
            }
            if (state == State.OPENING) {
                state = State.READY;
                widenConnectionWindow(ctx);
                idleSince();
                pool.ready(this);
            } else {
                pool.roomChanged();
            }
            return; // not reference-counted, and nothing after this handler wants it
        }
        if (msg instanceof Http2GoAwayFrame) {
            goAway(); // streams past its last stream id are refused by the multiplexer (Http2StreamAdapter)
        }
        ctx.fireChannelRead(msg);
    }

    /** The connection's receive window, from the protocol's 64 KiB to {@link #CONNECTION_WINDOW_BYTES}. */
    private void widenConnectionWindow(ChannelHandlerContext ctx) {
        int current = codec.connection().local().flowController().windowSize(codec.connection().connectionStream());
        if (current < CONNECTION_WINDOW_BYTES) {
            ctx.writeAndFlush(new DefaultHttp2WindowUpdateFrame(CONNECTION_WINDOW_BYTES - current));
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof Http2FrameStreamException) {
            ctx.fireExceptionCaught(cause); // one stream's error: the multiplexer gives it to that stream
            return;
        }
        ctx.close(); // the codec answered connection errors itself (GOAWAY); a socket error ends every stream
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        cancelIdleCheck();
        super.channelInactive(ctx);
    }

    private void streamEnded() {
        streams--;
        if (streams == 0) {
            if (state == State.GOING_AWAY) {
                channel.close();
                return;
            }
            idleSince();
        }
        pool.roomChanged();
    }

    private void idleSince() {
        idleSinceNanos = System.nanoTime();
        if (idleCheck == null) {
            idleCheck = channel.eventLoop().schedule(this::checkIdle, idleTimeoutNanos, TimeUnit.NANOSECONDS);
        }
    }

    /**
     * Closes the connection once it stayed without streams for the idle timeout. One check per idle spell: a stream
     * opened meanwhile does not cancel it, the check just finds the connection busy.
     */
    private void checkIdle() {
        idleCheck = null;
        if (streams > 0) {
            return;
        }
        long idleFor = System.nanoTime() - idleSinceNanos;
        if (idleFor >= idleTimeoutNanos) {
            goAway();
        } else {
            idleCheck = channel.eventLoop().schedule(this::checkIdle, idleTimeoutNanos - idleFor,
                    TimeUnit.NANOSECONDS);
        }
    }

    private void cancelIdleCheck() {
        if (idleCheck != null) {
            idleCheck.cancel(false);
            idleCheck = null;
        }
    }

    @ChannelHandler.Sharable
    private static final class SharedStreamHandlers extends ChannelInitializer<Http2StreamChannel> {
        private static final Http2StreamFrameToHttpObjectCodec CODEC = new Http2StreamFrameToHttpObjectCodec(false);

        @Override
        protected void initChannel(Http2StreamChannel streamChannel) {
            streamChannel.pipeline()
                    .addLast(UpstreamChannelInitializer.H2_STREAM_CODEC, CODEC)
                    .addLast(UpstreamChannelInitializer.H2_STREAM, Http2StreamAdapter.INSTANCE);
        }
    }
}
