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
 */
public final class FakeUpstream implements AutoCloseable {
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
    private final AtomicInteger handshakes = new AtomicInteger();
    private final AtomicInteger failedHandshakes = new AtomicInteger();
    private final AtomicInteger resumedHandshakes = new AtomicInteger();
    private final SslContext tls;
    private final Channel server;
    private volatile Script script;

    public FakeUpstream(Script script) throws InterruptedException {
        this(script, null);
    }

    /** An https provider when {@code tls} is a server context; plain http when null. */
    public FakeUpstream(Script script, SslContext tls) throws InterruptedException {
        this.script = script;
        this.tls = tls;
        this.server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        int id = connections.incrementAndGet();
                        channel.closeFuture().addListener(f -> closedConnections.incrementAndGet());
                        if (tls != null) {
                            channel.pipeline().addLast(tls.newHandler(channel.alloc()), new HandshakeCounter());
                        }
                        channel.pipeline()
                                .addLast(new HttpRequestDecoder())
                                .addLast(new HttpObjectAggregator(64 * 1024 * 1024))
                                .addLast(new SimpleChannelInboundHandler<FullHttpRequest>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
                                        Received got = new Received(request.method().name(), request.uri(),
                                                request.headers().copy(),
                                                request.content().toString(StandardCharsets.UTF_8), id);
                                        received.add(got);
                                        Script current = FakeUpstream.this.script;
                                        scripts.execute(() -> {
                                            Reply reply = new Reply(ctx.channel(), got);
                                            try {
                                                current.answer(reply);
                                            } catch (Exception e) {
                                                ctx.channel().close();
                                            }
                                        });
                                    }
                                });
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
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
        private boolean chunked;

        Reply(Channel channel, Received request) {
            this.channel = channel;
            this.request = request;
        }

        public Received request() {
            return request;
        }

        /** Status line and headers; with {@code chunked} the body goes in chunked transfer coding. */
        public Reply head(int status, String reason, boolean chunked, String... headerPairs) {
            this.chunked = chunked;
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
        }

        /** Body bytes: one HTTP chunk when chunked, else raw. */
        public Reply body(byte[] bytes) {
            if (!chunked) {
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
            raw("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        }

        public Reply raw(byte[] bytes) {
            channel.writeAndFlush(Unpooled.wrappedBuffer(bytes)).syncUninterruptibly();
            return this;
        }

        public void close() {
            channel.close().syncUninterruptibly();
        }

        public boolean isOpen() {
            return channel.isActive();
        }

        public Channel channel() {
            return channel;
        }
    }
}
