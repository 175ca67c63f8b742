package dev.llmgateway.bench.load;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The harness's h2c client (prior knowledge), as a load balancer speaks to a backend: the pieces the
 * {@link LoadGenerator} builds its HTTP/2 connections from, and one connection of its own for single exchanges,
 * the probe's request and the cancel workload's cut streams. Requests go out as frames (headers shared by every
 * request, the body a duplicate of a shared read-only buffer); answers come back as HTTP objects, so the readers
 * are the HTTP/1.1 ones. Every frame or object a reader takes it releases.
 */
final class Http2Client implements AutoCloseable {
    private static final ChannelHandler NO_PUSHED_STREAMS = new ChannelInitializer<Channel>() {
        @Override
        protected void initChannel(Channel ch) {
            // Push is off in our SETTINGS: no server opens a stream to us.
        }
    };
    private static final ChannelHandler RESPONSE_CODEC = new Http2StreamFrameToHttpObjectCodec(false);

    private final Channel connection;

    private Http2Client(Channel connection) {
        this.connection = connection;
    }

    /** The connection's HTTP/2 codec and stream multiplexer (push off), for a client pipeline. */
    static void addCodec(ChannelPipeline pipeline) {
        pipeline.addLast(Http2FrameCodecBuilder.forClient()
                        .initialSettings(Http2Settings.defaultSettings().pushEnabled(false)).build(),
                new Http2MultiplexHandler(NO_PUSHED_STREAMS));
    }

    /** Turns a stream's frames into HTTP objects (sharable: it keeps no state of its own). */
    static ChannelHandler responseCodec() {
        return RESPONSE_CODEC;
    }

    /** A chat request's HEADERS, to share between requests: the encoder only reads them. */
    static Http2Headers requestHeaders(String host, int port, String path, String apiKey, boolean stream,
                                       int bodyLength) {
        return new DefaultHttp2Headers()
                .method("POST").scheme("http").authority(host + ":" + port).path(path)
                .add(HttpHeaderNames.AUTHORIZATION, "Bearer " + apiKey)
                .add(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .addInt(HttpHeaderNames.CONTENT_LENGTH, bodyLength)
                .add(HttpHeaderNames.ACCEPT, stream ? "text/event-stream" : "application/json");
    }

    /**
     * HEADERS, then the body in one DATA frame that ends the stream. The frame takes a duplicate of {@code body}:
     * an unreleasable buffer stays the caller's, a plain one is released by the write.
     */
    static void writeRequest(Http2StreamChannel stream, Http2Headers headers, ByteBuf body) {
        stream.write(new DefaultHttp2HeadersFrame(headers, false), stream.voidPromise());
        stream.writeAndFlush(new DefaultHttp2DataFrame(body.duplicate(), true), stream.voidPromise());
    }

    /** One h2c connection to {@code host:port} on {@code group}, up within 5 s. */
    static Http2Client connect(NettyTransport transport, EventLoopGroup group, String host, int port)
            throws InterruptedException {
        var connected = new Bootstrap().group(group).channel(transport.socketChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5_000)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        addCodec(ch.pipeline());
                    }
                })
                .connect(host, port);
        if (!connected.await(10, TimeUnit.SECONDS) || !connected.isSuccess()) {
            throw new IllegalStateException("cannot connect to " + host + ":" + port + " over h2c",
                    connected.cause());
        }
        return new Http2Client(connected.channel());
    }

    /** The whole answer to {@code body}: status and text, within {@code timeoutSeconds}. */
    Answer fetch(Http2Headers headers, byte[] body, long timeoutSeconds) throws InterruptedException {
        return exchange(headers, body, timeoutSeconds, new StreamReader<Answer>("stream closed unanswered") {
            @Override
            void read(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof FullHttpResponse response) {
                    result.complete(new Answer(response.status().code(),
                            response.content().toString(StandardCharsets.UTF_8)));
                }
            }
        }, new HttpObjectAggregator(16 << 20));
    }

    /**
     * Sends {@code body} (a streamed request) and resets the stream (RST_STREAM CANCEL, by closing it) when the
     * first bytes of its body arrive. Returns when ({@link System#nanoTime}) it reset the stream.
     */
    long cancelAfterFirstBytes(Http2Headers headers, byte[] body, long timeoutSeconds) throws InterruptedException {
        return exchange(headers, body, timeoutSeconds, new StreamReader<Long>("stream closed before its first event") {
            @Override
            void read(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof HttpResponse response && response.status().code() != 200) {
                    result.completeExceptionally(new IllegalStateException("status " + response.status().code()));
                } else if (msg instanceof HttpContent content && content.content().isReadable() && !result.isDone()) {
                    result.complete(System.nanoTime());
                    ctx.close();
                } else if (msg instanceof LastHttpContent) {
                    result.completeExceptionally(new IllegalStateException("answer ended, no event"));
                }
            }
        });
    }

    @Override
    public void close() {
        connection.close().syncUninterruptibly();
    }

    /** A status and the body as text. */
    record Answer(int status, String body) {
    }

    /** One request on a new stream, its answer read by {@code reader} after {@code before} (decoders). */
    private <T> T exchange(Http2Headers headers, byte[] body, long timeoutSeconds, StreamReader<T> reader,
                           ChannelHandler... before) throws InterruptedException {
        ByteBuf content = Unpooled.wrappedBuffer(body);
        new Http2StreamChannelBootstrap(connection).handler(new ChannelInitializer<Http2StreamChannel>() {
            @Override
            protected void initChannel(Http2StreamChannel ch) {
                ch.pipeline().addLast(RESPONSE_CODEC).addLast(before).addLast(reader);
            }
        }).open().addListener((Future<Http2StreamChannel> opened) -> {
            if (opened.isSuccess()) {
                writeRequest(opened.getNow(), headers, content);
            } else {
                content.release();
                reader.result.completeExceptionally(opened.cause());
            }
        });
        return await(reader.result, timeoutSeconds);
    }

    /** Reads one stream's answer into {@link #result}, releasing what it reads; a stream closed first fails it. */
    private abstract static class StreamReader<T> extends ChannelInboundHandlerAdapter {
        final CompletableFuture<T> result = new CompletableFuture<>();
        private final String closedFirst;

        StreamReader(String closedFirst) {
            this.closedFirst = closedFirst;
        }

        abstract void read(ChannelHandlerContext ctx, Object msg);

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                read(ctx, msg);
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            result.completeExceptionally(new IllegalStateException(closedFirst));
        }
    }

    private static <T> T await(CompletableFuture<T> future, long timeoutSeconds) throws InterruptedException {
        try {
            return future.get(timeoutSeconds, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("no answer within " + timeoutSeconds + " s");
        }
    }
}
