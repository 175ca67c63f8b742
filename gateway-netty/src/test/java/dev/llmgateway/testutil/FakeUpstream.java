package dev.llmgateway.testutil;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.internal.tcnative.SSL;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.DefaultHttp2SettingsFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A provider on 127.0.0.1 that answers with raw bytes a test scripts: it decodes requests with Netty but writes
 * responses byte for byte (head, chunks, pauses, resets), so tests control exactly where the gateway's reads split.
 * Each request's script runs on its own thread, so it may sleep or wait between writes. Given a server
 * {@link SslContext} it speaks https (the bytes a script writes are then TLS records' content) and counts
 * handshakes; the context's ALPN list is what it offers.
 *
 * <p>Speaking {@link Protocol#HTTP_2} (h2c with prior knowledge, or h2 over TLS: its context must offer {@code h2})
 * the same script answers on its request's stream: a head is a HEADERS frame, each body piece a DATA frame, the end
 * an empty DATA frame that ends the stream, and {@link Reply#close()} closes the whole connection;
 * {@link Reply#reset}, {@link Reply#goAway} and the streams the gateway reset ({@link #resets()}) are HTTP/2's own.
 */
public final class FakeUpstream implements AutoCloseable {
    /** The HTTP the provider speaks; {@link #providerLine} is the gateway's setting that goes with it. */
    public enum Protocol {
        HTTP_1_1("http = \"1.1\""), HTTP_2("http = \"2\"");

        private final String providerLine;

        Protocol(String providerLine) {
            this.providerLine = providerLine;
        }

        /** The {@code [providers.X]} line that makes the gateway speak this protocol to the provider. */
        public String providerLine() {
            return providerLine;
        }
    }

    /** A stream the gateway reset: its error code and when the provider read the RST_STREAM. */
    public record Reset(long errorCode, long atNanos) {
    }
    /** What the provider does with one request. */
    @FunctionalInterface
    public interface Script {
        void answer(Reply reply) throws Exception;
    }

    /** A request as the provider received it. */
    public record Received(String method, String uri, HttpHeaders headers, String body, int connection) {
    }

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final ExecutorService scripts = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "fake-upstream-script");
        thread.setDaemon(true);
        return thread;
    });
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger closedConnections = new AtomicInteger();
    private final List<Reset> resets = new CopyOnWriteArrayList<>();
    private final Protocol protocol;
    private final long maxConcurrentStreams;
    private final AtomicInteger handshakes = new AtomicInteger();
    private final AtomicInteger failedHandshakes = new AtomicInteger();
    private final AtomicInteger resumedHandshakes = new AtomicInteger();
    private final SslContext tls;
    private final Channel server;
    private volatile Script script;

    public FakeUpstream(Script script) throws InterruptedException {
        this(Protocol.HTTP_1_1, Long.MAX_VALUE, script, null);
    }

    /** An https provider when {@code tls} is a server context; plain http when null. */
    public FakeUpstream(Script script, SslContext tls) throws InterruptedException {
        this(Protocol.HTTP_1_1, Long.MAX_VALUE, script, tls);
    }

    public FakeUpstream(Protocol protocol, Script script) throws InterruptedException {
        this(protocol, Long.MAX_VALUE, script, null);
    }

    /**
     * @param maxConcurrentStreams the SETTINGS_MAX_CONCURRENT_STREAMS an HTTP/2 provider announces
     * @param tls                  a server context for https, or null for plain http
     */
    public FakeUpstream(Protocol protocol, long maxConcurrentStreams, Script script, SslContext tls)
            throws InterruptedException {
        this.protocol = protocol;
        this.maxConcurrentStreams = maxConcurrentStreams;
        this.script = script;
        this.tls = tls;
        this.server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 2048)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        int id = connections.incrementAndGet();
                        channel.closeFuture().addListener(f -> closedConnections.incrementAndGet());
                        if (tls != null) {
                            channel.pipeline().addLast(tls.newHandler(channel.alloc()), new HandshakeCounter());
                        }
                        if (protocol == Protocol.HTTP_2) {
                            initHttp2(channel, id);
                        } else {
                            channel.pipeline()
                                    .addLast(new HttpRequestDecoder())
                                    .addLast(new HttpObjectAggregator(64 * 1024 * 1024))
                                    .addLast(new RequestHandler(id));
                        }
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
    }

    private void initHttp2(Channel channel, int id) {
        Http2Settings settings = Http2Settings.defaultSettings();
        if (maxConcurrentStreams != Long.MAX_VALUE) {
            settings.maxConcurrentStreams(maxConcurrentStreams);
        }
        channel.pipeline()
                .addLast(Http2FrameCodecBuilder.forServer().initialSettings(settings).build())
                .addLast(new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
                    @Override
                    protected void initChannel(Http2StreamChannel stream) {
                        stream.pipeline()
                                .addLast(new ChannelInboundHandlerAdapter() {
                                    @Override
                                    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
                                        if (event instanceof Http2ResetFrame reset) {
                                            resets.add(new Reset(reset.errorCode(), System.nanoTime()));
                                        }
                                        ctx.fireUserEventTriggered(event);
                                    }
                                })
                                .addLast(new Http2StreamFrameToHttpObjectCodec(true))
                                .addLast(new HttpObjectAggregator(64 * 1024 * 1024))
                                .addLast(new RequestHandler(id));
                    }
                }))
                .addLast(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                        ctx.close(); // the gateway went away; tests look at what it did, not at this
                    }
                });
    }

    /** Records each request and runs the script for it on a thread of its own. */
    private final class RequestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final int connection;

        RequestHandler(int connection) {
            this.connection = connection;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            HttpHeaders headers = request.headers().copy();
            if (protocol == Protocol.HTTP_2) {
                // what the provider read as HTTP/2 pseudo-headers, under their own names
                headers.remove(HttpConversionUtil.ExtensionHeaderNames.STREAM_ID.text());
            }
            Received got = new Received(request.method().name(), request.uri(), headers,
                    request.content().toString(StandardCharsets.UTF_8), connection);
            received.add(got);
            Script current = FakeUpstream.this.script;
            scripts.execute(() -> {
                Reply reply = new Reply(ctx.channel(), got, protocol == Protocol.HTTP_2);
                try {
                    current.answer(reply);
                } catch (Exception e) {
                    ctx.channel().close();
                }
            });
        }
    }

    /** A script answering every request 200 with a JSON fixture. */
    public static Script json(String fixture) {
        byte[] body = Fixtures.bytes(fixture);
        return reply -> reply.full(200, "OK", "application/json", body);
    }

    public void script(Script next) {
        this.script = next;
    }

    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** An OpenAI-style base URL for the config. */
    public String baseUrl() {
        return (tls == null ? "http" : "https") + "://127.0.0.1:" + port() + "/v1";
    }

    public List<Received> received() {
        return received;
    }

    public Received last() {
        return received.get(received.size() - 1);
    }

    public int connectionsAccepted() {
        return connections.get();
    }

    public int connectionsClosed() {
        return closedConnections.get();
    }

    /** The streams the gateway reset (h2c), in the order the provider read the resets. */
    public List<Reset> resets() {
        return resets;
    }

    /** TLS handshakes completed. */
    public int handshakes() {
        return handshakes.get();
    }

    /** TLS handshakes that resumed an earlier session (counted when the server context is OpenSSL's). */
    public int resumedHandshakes() {
        return resumedHandshakes.get();
    }

    /** TLS handshakes that failed (the client refused the certificate, or spoke no TLS). */
    public int failedHandshakes() {
        return failedHandshakes.get();
    }

    private final class HandshakeCounter extends ChannelInboundHandlerAdapter {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
            if (event instanceof SslHandshakeCompletionEvent done) {
                (done.isSuccess() ? handshakes : failedHandshakes).incrementAndGet();
                if (done.isSuccess() && ctx.pipeline().get(SslHandler.class).engine()
                        instanceof ReferenceCountedOpenSslEngine engine && SSL.isSessionReused(engine.sslPointer())) {
                    resumedHandshakes.incrementAndGet();
                }
            }
            super.userEventTriggered(ctx, event);
        }
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        scripts.shutdownNow();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** The response side of one request: writes go out at once, each flushed on its own. */
    public static final class Reply {
        private final Channel channel;
        private final Received request;
        private final boolean http2;
        private boolean chunked;

        Reply(Channel channel, Received request, boolean http2) {
            this.channel = channel;
            this.request = request;
            this.http2 = http2;
        }

        public Received request() {
            return request;
        }

        /** Status line and headers; with {@code chunked} the body goes in chunked transfer coding. */
        public Reply head(int status, String reason, boolean chunked, String... headerPairs) {
            this.chunked = chunked;
            if (http2) {
                HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status));
                for (int i = 0; i < headerPairs.length; i += 2) {
                    head.headers().add(headerPairs[i], headerPairs[i + 1]);
                }
                channel.writeAndFlush(head).syncUninterruptibly();
                return this;
            }
            StringBuilder head = new StringBuilder("HTTP/1.1 ").append(status).append(' ').append(reason).append("\r\n");
            for (int i = 0; i < headerPairs.length; i += 2) {
                head.append(headerPairs[i]).append(": ").append(headerPairs[i + 1]).append("\r\n");
            }
            if (chunked) {
                head.append("transfer-encoding: chunked\r\n");
            }
            head.append("\r\n");
            raw(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            return this;
        }

        /** A complete response with Content-Length. */
        public void full(int status, String reason, String contentType, byte[] body, String... headerPairs) {
            String[] all = new String[headerPairs.length + 4];
            System.arraycopy(headerPairs, 0, all, 0, headerPairs.length);
            all[headerPairs.length] = "content-type";
            all[headerPairs.length + 1] = contentType;
            all[headerPairs.length + 2] = "content-length";
            all[headerPairs.length + 3] = Integer.toString(body.length);
            head(status, reason, false, all);
            raw(body);
            if (http2) {
                end();
            }
        }

        /** Body bytes: one HTTP chunk when chunked, else raw. */
        public Reply body(byte[] bytes) {
            if (!chunked || http2) {
                return raw(bytes);
            }
            ByteBuf chunk = Unpooled.buffer(bytes.length + 16);
            chunk.writeCharSequence(Integer.toHexString(bytes.length) + "\r\n", StandardCharsets.US_ASCII);
            chunk.writeBytes(bytes).writeByte('\r').writeByte('\n');
            channel.writeAndFlush(chunk).syncUninterruptibly();
            return this;
        }

        public Reply body(String text) {
            return body(text.getBytes(StandardCharsets.UTF_8));
        }

        /** The terminating chunk of a chunked body. */
        public void end() {
            if (http2) {
                channel.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).syncUninterruptibly();
                return;
            }
            raw("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        }

        /** Bytes as they are; on h2c, body bytes in one DATA frame. */
        public Reply raw(byte[] bytes) {
            Object message = http2 ? new DefaultHttpContent(Unpooled.wrappedBuffer(bytes)) : Unpooled.wrappedBuffer(bytes);
            channel.writeAndFlush(message).syncUninterruptibly();
            return this;
        }

        /** Closes the connection (on h2c the whole connection, every stream on it). */
        public void close() {
            (http2 ? channel.parent() : channel).close().syncUninterruptibly();
        }

        /** h2c: resets this stream with {@code error}. */
        public void reset(Http2Error error) {
            channel.writeAndFlush(new DefaultHttp2ResetFrame(error)).syncUninterruptibly();
        }

        /** h2c: this stream's id. */
        public int streamId() {
            return ((Http2StreamChannel) channel).stream().id();
        }

        /**
         * h2c: GOAWAY with this stream as the last the provider will process: streams the gateway opened after it are
         * refused, this one may still be answered.
         */
        public void goAway() {
            Channel connection = channel.parent();
            connection.eventLoop().submit(() -> {
                Http2FrameCodec codec = connection.pipeline().get(Http2FrameCodec.class);
                ChannelHandlerContext ctx = connection.pipeline().context(codec);
                codec.goAway(ctx, streamId(), Http2Error.NO_ERROR.code(), Unpooled.EMPTY_BUFFER, ctx.newPromise());
                ctx.flush();
            }).syncUninterruptibly();
        }

        /** h2c: a SETTINGS frame on this stream's connection announcing {@code maxConcurrentStreams}. */
        public void maxConcurrentStreams(long maxConcurrentStreams) {
            channel.parent().writeAndFlush(new DefaultHttp2SettingsFrame(
                    new Http2Settings().maxConcurrentStreams(maxConcurrentStreams))).syncUninterruptibly();
        }

        public boolean isOpen() {
            return channel.isActive();
        }

        public Channel channel() {
            return channel;
        }
    }
}
