package dev.llmgateway.bench.load;

import dev.llmgateway.bench.ChatPayloads;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The upstream every target ends at: an OpenAI-compatible chat endpoint that answers at once from pre-encoded
 * bytes, so it costs the same whichever proxy is in front. Answers carry {@link ChatPayloads#UPSTREAM_MODEL}.
 * Non-stream answers go out as head + body in one flush; streams flush once per event, {@code eventDelayMs}
 * apart, as a model would.
 */
public final class MockUpstream implements AutoCloseable {
    private static final String[] TOKENS = {"Hello", " there", ",", " how", " can", " I", " help", " you", "?"};

    private final ByteBuf completion = shared(ChatPayloads.completion(ChatPayloads.UPSTREAM_MODEL));
    private final ByteBuf[] tokenEvents = new ByteBuf[TOKENS.length];
    private final ByteBuf doneEvent = shared(ChatPayloads.doneEvent());
    private final ByteBuf usageEvent;
    private final HttpHeaders jsonHeaders;
    private final HttpHeaders sseHeaders;
    private final int events;
    private final long eventDelayNanos;
    private final Channel serverChannel;

    private MockUpstream(NettyTransport transport, EventLoopGroup group, int port, int events, long eventDelayMs)
            throws InterruptedException {
        for (int i = 0; i < TOKENS.length; i++) {
            tokenEvents[i] = shared(ChatPayloads.chunkEvent(ChatPayloads.UPSTREAM_MODEL, TOKENS[i]));
        }
        this.usageEvent = shared(ChatPayloads.usageEvent(ChatPayloads.UPSTREAM_MODEL, events));
        // Shared, never mutated: the handler manages keep-alive itself instead of editing response headers.
        this.jsonHeaders = new DefaultHttpHeaders()
                .add(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .add(HttpHeaderNames.CONTENT_LENGTH, completion.readableBytes());
        this.sseHeaders = new DefaultHttpHeaders()
                .add(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8")
                .add(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE)
                .add(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        this.events = events;
        this.eventDelayNanos = TimeUnit.MILLISECONDS.toNanos(eventDelayMs);
        this.serverChannel = new ServerBootstrap()
                .group(group)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 4096)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(16 << 20),
                                new ChatHandler());
                    }
                })
                .bind("127.0.0.1", port).sync().channel();
    }

    /** Starts on {@code group}; {@code port} 0 picks a free port. */
    static MockUpstream start(NettyTransport transport, EventLoopGroup group, int port, int events,
                              long eventDelayMs) throws InterruptedException {
        return new MockUpstream(transport, group, port, events, eventDelayMs);
    }

    int port() {
        return ((java.net.InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    @Override
    public void close() {
        serverChannel.close().syncUninterruptibly();
    }

    /** Runs the mock alone, e.g. to try a gateway by hand: {@code MockUpstream [port] [events] [eventDelayMs]}. */
    public static void main(String[] args) throws InterruptedException {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 18090;
        int events = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        long delay = args.length > 2 ? Long.parseLong(args[2]) : 0;
        NettyTransport transport = NettyTransport.best();
        EventLoopGroup group = transport.newGroup("mock-upstream");
        MockUpstream mock = start(transport, group, port, events, delay);
        System.out.println("mock upstream on http://127.0.0.1:" + mock.port() + "/v1 (" + transport.name() + ")");
        mock.serverChannel.closeFuture().sync();
    }

    /** Unreleasable and read-only: every response writes a duplicate, and the encoder's release is a no-op. */
    private static ByteBuf shared(byte[] bytes) {
        return Unpooled.unreleasableBuffer(Unpooled.directBuffer(bytes.length).writeBytes(bytes)).asReadOnly();
    }

    private final class ChatHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            ByteBuf body = request.content();
            if (!isTrue(body, "\"stream\"")) {
                ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                                completion.duplicate(), jsonHeaders, EmptyHttpHeaders.INSTANCE))
                        .addListener(keepAlive ? ChannelFutureListener.CLOSE_ON_FAILURE : ChannelFutureListener.CLOSE);
                return;
            }
            ctx.write(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, sseHeaders));
            new EventStream(ctx, isTrue(body, "\"include_usage\""), keepAlive).next();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** One streamed answer: writes token events, then usage (when asked) and [DONE], flushing each. */
    private final class EventStream implements Runnable {
        private final ChannelHandlerContext ctx;
        private final boolean usage;
        private final boolean keepAlive;
        private int sent;

        EventStream(ChannelHandlerContext ctx, boolean usage, boolean keepAlive) {
            this.ctx = ctx;
            this.usage = usage;
            this.keepAlive = keepAlive;
        }

        @Override
        public void run() {
            if (ctx.channel().isActive()) {
                next();
            }
        }

        void next() {
            do {
                ctx.writeAndFlush(new DefaultHttpContent(tokenEvents[sent % tokenEvents.length].duplicate()));
                sent++;
            } while (sent < events && eventDelayNanos == 0);
            if (sent < events) {
                ctx.executor().schedule(this, eventDelayNanos, TimeUnit.NANOSECONDS);
                return;
            }
            if (usage) {
                ctx.write(new DefaultHttpContent(usageEvent.duplicate()));
            }
            ctx.write(new DefaultHttpContent(doneEvent.duplicate()));
            ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT)
                    .addListener(keepAlive ? ChannelFutureListener.CLOSE_ON_FAILURE : ChannelFutureListener.CLOSE);
        }
    }

    /** Whether the JSON member named {@code quotedName} (quotes included) is {@code true}; a byte scan, no parse. */
    private static boolean isTrue(ByteBuf json, String quotedName) {
        byte[] name = quotedName.getBytes(StandardCharsets.US_ASCII);
        int end = json.writerIndex();
        int at = json.readerIndex();
        while ((at = indexOf(json, name, at, end)) >= 0) {
            int i = at + name.length;
            while (i < end && (json.getByte(i) == ' ' || json.getByte(i) == ':')) {
                i++;
            }
            if (i < end && json.getByte(i) == 't') {
                return true;
            }
            at = i;
        }
        return false;
    }

    private static int indexOf(ByteBuf haystack, byte[] needle, int from, int end) {
        outer:
        for (int i = from; i <= end - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack.getByte(i + j) != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
