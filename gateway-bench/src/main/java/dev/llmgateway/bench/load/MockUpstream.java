package dev.llmgateway.bench.load;

import dev.llmgateway.bench.AnthropicPayloads;
import dev.llmgateway.bench.ChatPayloads;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.ByteToMessageDecoder;
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
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;

/**
 * The upstream every target ends at: an OpenAI-compatible chat endpoint, and an Anthropic Messages endpoint (paths
 * ending in {@code /messages}) for a translating gateway. It answers from pre-encoded bytes, so it costs the same
 * whichever proxy is in front; answers carry {@link ChatPayloads#UPSTREAM_MODEL}. An answer starts
 * {@code answerDelayMs} after the request, as a model's would. A non-stream answer goes out as head + body in one
 * flush. A stream has as many text events as the request's {@code max_tokens} (so each request chooses its length)
 * and then the closing events; with {@code eventDelayMs} 0 they all go out in one flush, otherwise one flush per
 * event, each due {@code eventDelayMs} after the one before it (due times count from the first event, so a late
 * timer does not slow the pace).
 * <p>
 * It speaks HTTP/1.1 and HTTP/2 with the same answers: in plain text h2c by prior knowledge (a connection that
 * opens with the HTTP/2 preface) beside HTTP/1.1 on the same port, over TLS whatever ALPN chooses ({@code h2}, else
 * {@code http/1.1}). Each HTTP/2 stream is a child channel whose frames become the same HTTP objects, so one
 * handler answers both. It counts its connections ({@link #connections()}) and notes when a stream ends before its
 * answer did ({@link #awaitCancel}): what a proxy does upstream when its client goes away.
 */
public final class MockUpstream implements AutoCloseable {
    private static final String[] TOKENS = {"Hello", " there", ",", " how", " can", " I", " help", " you", "?"};
    private static final int EVENTS_WHEN_UNSPECIFIED = 20;
    private static final byte[] STREAM = quoted("stream");
    private static final byte[] INCLUDE_USAGE = quoted("include_usage");
    private static final byte[] MAX_TOKENS = quoted("max_tokens");
    /**
     * SETTINGS_MAX_CONCURRENT_STREAMS of the mock's HTTP/2 connections: nginx's and the gateway's default, so a
     * proxy needs ceil(streams / 128) connections to hold that many streams.
     */
    static final int MAX_CONCURRENT_STREAMS = 128;
    /** Cut streams noted and not yet taken; more are dropped (only the cancel workload takes them). */
    private static final int CANCELS_KEPT = 1024;

    private final Dialect openAi;
    private final Dialect anthropic;
    private final HttpHeaders sseHeaders;
    private final long eventDelayNanos;
    private final long answerDelayNanos;
    private final Channel serverChannel;
    private final ConnectionCount connections = new ConnectionCount();
    private final ArrayBlockingQueue<Long> cancels = new ArrayBlockingQueue<>(CANCELS_KEPT);
    /** Stateless, one for every connection and stream: a stream costs the mock only its aggregator. */
    private final ChatHandler chat = new ChatHandler();
    private final Http2StreamFrameToHttpObjectCodec streamCodec = new Http2StreamFrameToHttpObjectCodec(true);
    private final ChannelHandler streamInitializer = new ChannelInitializer<Http2StreamChannel>() {
        @Override
        protected void initChannel(Http2StreamChannel stream) {
            stream.pipeline().addLast(streamCodec, new HttpObjectAggregator(16 << 20), chat);
        }
    };

    private MockUpstream(NettyTransport transport, EventLoopGroup group, int port, long eventDelayMs,
                         long answerDelayMs, SslContext tls) throws InterruptedException {
        byte[] done = ChatPayloads.doneEvent();
        this.openAi = new Dialect(ChatPayloads.completion(ChatPayloads.UPSTREAM_MODEL), new byte[0],
                Arrays.stream(TOKENS).map(token -> ChatPayloads.chunkEvent(ChatPayloads.UPSTREAM_MODEL, token))
                        .toList(),
                (events, usage) -> usage ? concat(ChatPayloads.usageEvent(ChatPayloads.UPSTREAM_MODEL, events), done)
                        : done);
        this.anthropic = new Dialect(AnthropicPayloads.message(), AnthropicPayloads.streamHead(),
                AnthropicPayloads.textDeltas(), (events, usage) -> AnthropicPayloads.streamTail(events));
        // Shared, never mutated: the handler manages keep-alive itself instead of editing response headers.
        this.sseHeaders = new DefaultHttpHeaders()
                .add(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8")
                .add(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE)
                .add(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        this.eventDelayNanos = TimeUnit.MILLISECONDS.toNanos(eventDelayMs);
        this.answerDelayNanos = TimeUnit.MILLISECONDS.toNanos(answerDelayMs);
        this.serverChannel = new ServerBootstrap()
                .group(group)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 4096)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        connections.opened(ch);
                        if (tls != null) {
                            ch.pipeline().addLast(tls.newHandler(ch.alloc()), new AlpnChoice());
                        } else {
                            ch.pipeline().addLast(new PrefaceSniffer());
                        }
                    }
                })
                .bind("127.0.0.1", port).sync().channel();
    }

    /**
     * Starts on {@code group}, which must have one event loop (the answer caches are not locked); {@code port} 0
     * picks a free port.
     */
    static MockUpstream start(NettyTransport transport, EventLoopGroup group, int port, long eventDelayMs,
                              long answerDelayMs) throws InterruptedException {
        return start(transport, group, port, eventDelayMs, answerDelayMs, null);
    }

    /** As above, speaking https with {@code tls} (a server context) when it is not null. */
    static MockUpstream start(NettyTransport transport, EventLoopGroup group, int port, long eventDelayMs,
                              long answerDelayMs, SslContext tls) throws InterruptedException {
        return new MockUpstream(transport, group, port, eventDelayMs, answerDelayMs, tls);
    }

    /** The connections proxies (or the load, for direct) opened to this mock. */
    ConnectionCount connections() {
        return connections;
    }

    /** Forgets the streams cut so far: the next {@link #awaitCancel} waits for one cut after this. */
    void clearCancels() {
        cancels.clear();
    }

    /**
     * When ({@link System#nanoTime}) the next stream was cut before its answer ended (its HTTP/2 stream reset, or
     * its HTTP/1.1 connection closed), waiting up to {@code timeoutNanos}; -1 when none was.
     */
    long awaitCancel(long timeoutNanos) throws InterruptedException {
        Long at = cancels.poll(timeoutNanos, TimeUnit.NANOSECONDS);
        return at == null ? -1 : at;
    }

    int port() {
        return ((java.net.InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    @Override
    public void close() {
        serverChannel.close().syncUninterruptibly();
    }

    /** Runs the mock alone, to try a gateway by hand: {@code MockUpstream [port] [eventDelayMs] [answerDelayMs]}. */
    public static void main(String[] args) throws InterruptedException {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 18090;
        long eventDelay = args.length > 1 ? Long.parseLong(args[1]) : 0;
        long answerDelay = args.length > 2 ? Long.parseLong(args[2]) : 0;
        NettyTransport transport = NettyTransport.best();
        EventLoopGroup group = transport.newGroup("mock-upstream");
        MockUpstream mock = start(transport, group, port, eventDelay, answerDelay);
        System.out.println("mock upstream on http://127.0.0.1:" + mock.port() + "/v1 (" + transport.name() + ")");
        mock.serverChannel.closeFuture().sync();
    }

    /**
     * Unreleasable and read-only: every response writes a duplicate, and the encoder's release is a no-op. Direct
     * memory the garbage collector frees with the mock (a wrapped NIO buffer, outside the allocator), as nothing
     * ever releases it: a leak detector has nothing to report when the mock goes away.
     */
    private static ByteBuf shared(byte[] bytes) {
        return Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(ByteBuffer.allocateDirect(bytes.length)
                .put(bytes).flip())).asReadOnly();
    }

    private static byte[] concat(byte[] first, byte[] second) {
        byte[] both = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        return both;
    }

    /** One API's answers, pre-encoded. */
    private static final class Dialect {
        private final ByteBuf json;
        private final HttpHeaders jsonHeaders;
        private final ByteBuf head;
        private final ByteBuf[] textEvents;
        private final BiFunction<Integer, Boolean, byte[]> closingEncoder;
        /** Closing events by event count (negative: without usage); few distinct counts occur in a run. */
        private final IntObjectMap<ByteBuf> closings = new IntObjectHashMap<>();

        /** {@code closingEncoder}: (text events sent, client asked for usage) → the events that end the stream. */
        Dialect(byte[] json, byte[] head, List<byte[]> textEvents,
                BiFunction<Integer, Boolean, byte[]> closingEncoder) {
            this.json = shared(json);
            this.jsonHeaders = new DefaultHttpHeaders()
                    .add(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                    .add(HttpHeaderNames.CONTENT_LENGTH, json.length);
            this.head = shared(head);
            this.textEvents = textEvents.stream().map(MockUpstream::shared).toArray(ByteBuf[]::new);
            this.closingEncoder = closingEncoder;
        }

        ByteBuf closing(int events, boolean usage) {
            int key = usage ? events : -events;
            ByteBuf closing = closings.get(key);
            if (closing == null) {
                closing = shared(closingEncoder.apply(events, usage));
                closings.put(key, closing);
            }
            return closing;
        }
    }

    @ChannelHandler.Sharable
    private final class ChatHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            ByteBuf body = request.content();
            Dialect dialect = request.uri().endsWith("/messages") ? anthropic : openAi;
            Runnable answer;
            if (isTrue(body, STREAM)) {
                answer = new EventStream(ctx, dialect, Math.max(1, intValue(body, MAX_TOKENS, EVENTS_WHEN_UNSPECIFIED)),
                        isTrue(body, INCLUDE_USAGE), keepAlive);
            } else {
                answer = () -> ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                                HttpResponseStatus.OK, dialect.json.duplicate(), dialect.jsonHeaders,
                                EmptyHttpHeaders.INSTANCE))
                        .addListener(keepAlive ? ChannelFutureListener.CLOSE_ON_FAILURE : ChannelFutureListener.CLOSE);
            }
            if (answerDelayNanos > 0) {
                ctx.executor().schedule(answer, answerDelayNanos, TimeUnit.NANOSECONDS);
            } else {
                answer.run();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    private void speakHttp1(ChannelPipeline pipeline) {
        pipeline.addLast(new HttpServerCodec(), new HttpObjectAggregator(16 << 20), chat);
    }

    private void speakHttp2(ChannelPipeline pipeline) {
        // No cap on the client's resets (Netty's default closes a connection after 200 in 30 s): cancel-h2 resets
        // hundreds of streams on purpose, and the mock is there to time them, not to defend itself.
        pipeline.addLast(Http2FrameCodecBuilder.forServer()
                        .initialSettings(Http2Settings.defaultSettings().maxConcurrentStreams(MAX_CONCURRENT_STREAMS))
                        .decoderEnforceMaxRstFramesPerWindow(0, 0)
                        .build(),
                new Http2MultiplexHandler(streamInitializer));
    }

    /**
     * Plain text: HTTP/2 when the connection opens with its preface (prior knowledge), else HTTP/1.1. Reads no more
     * than the preface; what it read goes on to the protocol's handlers when it removes itself.
     */
    private final class PrefaceSniffer extends ByteToMessageDecoder {
        private final ByteBuf preface = Http2CodecUtil.connectionPrefaceBuf();

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
            int length = Math.min(in.readableBytes(), preface.readableBytes());
            boolean matches = ByteBufUtil.equals(in, in.readerIndex(), preface, 0, length);
            if (matches && length < preface.readableBytes()) {
                return;
            }
            if (matches) {
                speakHttp2(ctx.pipeline());
            } else {
                speakHttp1(ctx.pipeline());
            }
            ctx.pipeline().remove(this);
        }

        @Override
        protected void handlerRemoved0(ChannelHandlerContext ctx) {
            preface.release();
        }
    }

    /** TLS: the protocol ALPN chose, HTTP/1.1 when the client offered none (nginx's proxy_pass offers none). */
    private final class AlpnChoice extends ApplicationProtocolNegotiationHandler {
        AlpnChoice() {
            super(ApplicationProtocolNames.HTTP_1_1);
        }

        @Override
        protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
            if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
                speakHttp2(ctx.pipeline());
            } else {
                speakHttp1(ctx.pipeline());
            }
        }
    }

    /**
     * Connections opened and open at once, since the last {@link #reset}: written on the mock's loop, read by the
     * harness.
     */
    static final class ConnectionCount {
        private final AtomicInteger open = new AtomicInteger();
        private final AtomicInteger opened = new AtomicInteger();
        private final AtomicInteger peak = new AtomicInteger();

        private void opened(Channel channel) {
            opened.incrementAndGet();
            peak.accumulateAndGet(open.incrementAndGet(), Math::max);
            channel.closeFuture().addListener(closed -> open.decrementAndGet());
        }

        /** Starts counting anew: none opened yet, the peak those open now. */
        void reset() {
            opened.set(0);
            peak.set(open.get());
        }

        int opened() {
            return opened.get();
        }

        /** The most open at once since the reset, those already open then included. */
        int peak() {
            return peak.get();
        }
    }

    /**
     * One streamed answer: the head, the text events, then the closing events. Its channel (the HTTP/1.1
     * connection, or the HTTP/2 stream) closing before the last event was written is a cut stream, noted with its
     * time.
     */
    private final class EventStream implements Runnable, ChannelFutureListener {
        private final ChannelHandlerContext ctx;
        private final Dialect dialect;
        private final int events;
        private final boolean usage;
        private final boolean keepAlive;
        private long firstEventNanos;
        private int sent;

        EventStream(ChannelHandlerContext ctx, Dialect dialect, int events, boolean usage, boolean keepAlive) {
            this.ctx = ctx;
            this.dialect = dialect;
            this.events = events;
            this.usage = usage;
            this.keepAlive = keepAlive;
        }

        @Override
        public void run() {
            if (!ctx.channel().isActive()) {
                return;
            }
            if (sent == 0) {
                firstEventNanos = System.nanoTime();
                ctx.channel().closeFuture().addListener(this);
                ctx.write(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, sseHeaders));
                if (dialect.head.isReadable()) {
                    ctx.write(new DefaultHttpContent(dialect.head.duplicate()));
                }
            }
            do {
                ctx.write(new DefaultHttpContent(dialect.textEvents[sent % dialect.textEvents.length].duplicate()));
                sent++;
            } while (sent < events && eventDelayNanos == 0);
            if (sent < events) {
                ctx.flush();
                long due = firstEventNanos + sent * eventDelayNanos;
                ctx.executor().schedule(this, due - System.nanoTime(), TimeUnit.NANOSECONDS);
                return;
            }
            // A keep-alive connection serves many streams: each takes its listener off when it ends.
            ctx.channel().closeFuture().removeListener(this);
            ctx.write(new DefaultHttpContent(dialect.closing(events, usage).duplicate()));
            ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT)
                    .addListener(keepAlive ? ChannelFutureListener.CLOSE_ON_FAILURE : ChannelFutureListener.CLOSE);
        }

        /** The channel closed with the answer unfinished. */
        @Override
        public void operationComplete(ChannelFuture closed) {
            cancels.offer(System.nanoTime());
        }
    }

    private static byte[] quoted(String name) {
        return ('"' + name + '"').getBytes(StandardCharsets.US_ASCII);
    }

    /** The non-negative integer value of the first member named {@code quotedName}, or {@code otherwise}. */
    private static int intValue(ByteBuf json, byte[] quotedName, int otherwise) {
        int at = valueAt(json, quotedName, json.readerIndex());
        if (at < 0) {
            return otherwise;
        }
        int value = 0;
        int end = at;
        while (end < json.writerIndex() && end - at < 9 && Character.isDigit(json.getByte(end))) {
            value = value * 10 + json.getByte(end++) - '0';
        }
        return end > at ? value : otherwise;
    }

    /** Whether a JSON member named {@code quotedName} (quotes included) is {@code true}; a byte scan, no parse. */
    private static boolean isTrue(ByteBuf json, byte[] quotedName) {
        int at = json.readerIndex();
        while ((at = valueAt(json, quotedName, at)) >= 0) {
            if (at < json.writerIndex() && json.getByte(at) == 't') {
                return true;
            }
        }
        return false;
    }

    /** Where the value of the next member named {@code quotedName} at or after {@code from} starts, or -1. */
    private static int valueAt(ByteBuf json, byte[] quotedName, int from) {
        int end = json.writerIndex();
        int at = indexOf(json, quotedName, from, end);
        if (at < 0) {
            return -1;
        }
        int i = at + quotedName.length;
        while (i < end && (json.getByte(i) == ' ' || json.getByte(i) == ':')) {
            i++;
        }
        return i;
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
