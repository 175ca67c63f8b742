package dev.llmgateway.testutil;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.util.ReferenceCountUtil;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real HTTP/2 client on one h2c connection (prior knowledge), made of Netty's HTTP/2 codec: each request is a
 * stream of its own, so tests can run many at once on the connection, reset one (RST_STREAM CANCEL), stop reading
 * one (its flow-control window then runs out), and see the GOAWAY frames the server sends. Everything it reads is
 * released as it is recorded.
 */
public final class H2Client implements AutoCloseable {
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final List<GoAway> goAways = new CopyOnWriteArrayList<>();
    private final Channel connection;
    private final List<Http2StreamChannel> streams = new CopyOnWriteArrayList<>();

    /**
     * An answer as the client got it: {@code headers} as converted to HTTP/1.1 (where Netty's client adds
     * {@code transfer-encoding} itself), {@code wireHeaders} as they came in the HEADERS frame; {@code reset} when the
     * stream ended with RST_STREAM instead of its end.
     */
    public record Response(int status, HttpHeaders headers, Http2Headers wireHeaders, List<String> chunks,
                           boolean reset) {
        public String body() {
            return String.join("", chunks);
        }

        public String header(CharSequence name) {
            return headers.get(name);
        }
    }

    /** A GOAWAY frame the server sent. */
    public record GoAway(long errorCode, int lastStreamId) {
    }

    private H2Client(int port) throws InterruptedException {
        connection = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        channel.pipeline()
                                .addLast(Http2FrameCodecBuilder.forClient()
                                        .initialSettings(Http2Settings.defaultSettings().maxHeaderListSize(1 << 20)
                                                .initialWindowSize(1 << 20))
                                        .build())
                                .addLast(new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()))
                                .addLast(new ChannelInboundHandlerAdapter() {
                                    @Override
                                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                        if (msg instanceof Http2GoAwayFrame goAway) {
                                            goAways.add(new GoAway(goAway.errorCode(), goAway.lastStreamId()));
                                        }
                                        ReferenceCountUtil.release(msg);
                                    }
                                });
                    }
                })
                .connect("127.0.0.1", port).sync().channel();
    }

    /** Connects to the gateway with the HTTP/2 preface (h2c, prior knowledge). */
    public static H2Client connect(int port) throws InterruptedException {
        return new H2Client(port);
    }

    /** A stream with only a request head sent (no END_STREAM): a request whose body is still to come. */
    public Stream open(HttpRequest head) throws InterruptedException {
        return send(head, true);
    }

    /** One request on a stream of its own; the answer is read as it comes unless {@code autoRead} is false. */
    public Stream send(HttpRequest request, boolean autoRead) throws InterruptedException {
        return send(request, autoRead, true);
    }

    /**
     * {@link #send}, keeping the body's pieces ({@code keepBody}) or only counting its bytes and keeping its last
     * characters, for answers too large to hold.
     */
    public Stream send(HttpRequest request, boolean autoRead, boolean keepBody) throws InterruptedException {
        Stream stream = new Stream(keepBody);
        Http2StreamChannel channel = new Http2StreamChannelBootstrap(connection)
                .option(ChannelOption.AUTO_READ, autoRead)
                .handler(new ChannelInitializer<Http2StreamChannel>() {
                    @Override
                    protected void initChannel(Http2StreamChannel channel) {
                        channel.pipeline().addLast(stream.wire, new Http2StreamFrameToHttpObjectCodec(false), stream);
                    }
                }).open().sync().getNow();
        stream.channel = channel;
        streams.add(channel);
        channel.writeAndFlush(request).sync();
        return stream;
    }

    /**
     * Opens {@code count} streams, each with {@code head} sent and then reset, all in one task on the connection's
     * loop, so they reach the server as one burst: a rate the server sees whatever the machine's speed. A burst
     * larger than the server reads before it gives up leaves bytes unread at its close, which only a lingering close
     * keeps from becoming a TCP reset that discards the GOAWAY before it is read.
     */
    public void resetBurst(java.util.function.Supplier<HttpRequest> head, int count) throws InterruptedException {
        connection.eventLoop().submit(() -> {
            for (int i = 0; i < count; i++) {
                new Http2StreamChannelBootstrap(connection).handler(new Http2StreamFrameToHttpObjectCodec(false))
                        .open().addListener(opened -> {
                            if (opened.isSuccess()) {
                                Http2StreamChannel stream = (Http2StreamChannel) opened.getNow();
                                stream.writeAndFlush(head.get()); // a stream whose HEADERS never left has nothing to reset
                                stream.close();
                            }
                        });
            }
            connection.flush();
        }).sync();
    }

    /** A POST with the harness's key and a JSON body, answered whole. */
    public Response post(String path, String json) throws Exception {
        return send(post(path, GatewayHarness.KEY, json), true).response();
    }

    /** A GET with {@code key} (null: none), answered whole. */
    public Response get(String path, String key) throws Exception {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path,
                Unpooled.EMPTY_BUFFER);
        request.headers().set(HttpHeaderNames.HOST, "127.0.0.1");
        if (key != null) {
            request.headers().set(HttpHeaderNames.AUTHORIZATION, "Bearer " + key);
        }
        return send(request, true).response();
    }

    /** A POST request (key null: none) to send on a stream. */
    public static FullHttpRequest post(String path, String key, String json) {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, path,
                Unpooled.copiedBuffer(json, StandardCharsets.UTF_8));
        request.headers().set(HttpHeaderNames.HOST, "127.0.0.1")
                .set(HttpHeaderNames.CONTENT_TYPE, "application/json")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, request.content().readableBytes());
        if (key != null) {
            request.headers().set(HttpHeaderNames.AUTHORIZATION, "Bearer " + key);
        }
        return request;
    }

    /** The GOAWAY frames the server has sent so far. */
    public List<GoAway> goAways() {
        return goAways;
    }

    public Channel connection() {
        return connection;
    }

    /** Streams that stopped reading first read what they hold (so it is released), then all close. */
    @Override
    public void close() {
        connection.eventLoop().submit(() -> {
            for (Http2StreamChannel stream : streams) {
                stream.config().setAutoRead(true);
                stream.read();
                stream.close();
            }
        }).syncUninterruptibly();
        connection.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** One request's stream: its answer's head and pieces as they arrive, and how it ended. */
    public static final class Stream extends ChannelInboundHandlerAdapter {
        private static final int TAIL_CHARS = 64;
        private final CompletableFuture<Response> done = new CompletableFuture<>();
        private final CompletableFuture<HttpResponse> head = new CompletableFuture<>();
        private final List<String> chunks = new CopyOnWriteArrayList<>();
        private final boolean keepBody;
        private final AtomicLong bytes = new AtomicLong();
        /** The body's last characters, however the frames split it. */
        private volatile String tail = "";
        private volatile Http2StreamChannel channel;
        private volatile Http2Headers wireHeaders;
        private final ChannelInboundHandlerAdapter wire = new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof Http2HeadersFrame frame && wireHeaders == null) {
                    wireHeaders = frame.headers();
                }
                ctx.fireChannelRead(msg);
            }
        };

        Stream(boolean keepBody) {
            this.keepBody = keepBody;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof HttpResponse response) {
                    head.complete(response);
                }
                if (msg instanceof HttpContent content) {
                    bytes.addAndGet(content.content().readableBytes());
                    String chunk = content.content().toString(StandardCharsets.UTF_8);
                    if (keepBody) {
                        chunks.add(chunk);
                    } else {
                        String joined = tail + chunk;
                        tail = joined.substring(Math.max(0, joined.length() - TAIL_CHARS));
                    }
                    if (msg instanceof LastHttpContent) {
                        complete(false);
                    }
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof Http2ResetFrame) {
                complete(true);
            }
            ReferenceCountUtil.release(evt);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            complete(true);
        }

        private void complete(boolean reset) {
            HttpResponse response = head.getNow(null);
            done.complete(new Response(response == null ? -1 : response.status().code(),
                    response == null ? EmptyHttpHeaders.INSTANCE : response.headers(), wireHeaders,
                    List.copyOf(chunks), reset));
            head.complete(null);
        }

        /** The whole answer (waits for its end or its reset). */
        public Response response() throws Exception {
            return done.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }

        /** The answer's head once it arrived (null when the stream ended without one). */
        public HttpResponse head() throws Exception {
            return head.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }

        /** The body bytes read so far. */
        public long bytes() {
            return bytes.get();
        }

        /** The last characters of the body read so far, when the body is not kept. */
        public String tail() {
            return tail;
        }

        /** The pieces of the body read so far. */
        public List<String> chunks() {
            return chunks;
        }

        /** Cancels the stream: the client sends RST_STREAM (CANCEL) by closing it. */
        public void reset() {
            channel.close().syncUninterruptibly();
        }

        /** Reads what arrived and lets the stream read on by itself from now on. */
        public void resumeReading() {
            channel.eventLoop().execute(() -> {
                channel.config().setAutoRead(true);
                channel.read();
            });
        }

        public Http2StreamChannel channel() {
            return channel;
        }
    }
}
