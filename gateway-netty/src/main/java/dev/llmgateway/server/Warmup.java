package dev.llmgateway.server;

import dev.llmgateway.accesslog.BodyCapture;
import dev.llmgateway.config.ConfigException;
import dev.llmgateway.config.ConfigLoader;
import dev.llmgateway.metrics.GatewayMetrics;
import dev.llmgateway.tls.LoopbackCertificate;
import dev.llmgateway.tls.TlsContexts;
import dev.llmgateway.tracing.Tracing;
import dev.llmgateway.upstream.TransportChoice;
import dev.llmgateway.upstream.UpstreamPools;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.GlobalEventExecutor;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The startup warm-up: a bounded number of requests through the very pipeline the listener serves, so that the JIT
 * has compiled the hot path before {@code /ready} lets a load balancer send real traffic (cold, the first seconds
 * serve a fraction of the steady rate, and the compiler's threads take the CPU the event loops need).
 *
 * <p>It runs on its own listener on 127.0.0.1 (an ephemeral port, closed afterwards) with its own snapshot: a random
 * key, the built-in mock without token delay, and three providers that call back into the warm-up: one
 * OpenAI-compatible and one Anthropic to that listener, and two OpenAI-compatible over https to a second listener
 * that serves TLS with a certificate made for the run ({@link LoopbackCertificate}, its PEM in a temporary file as
 * the providers' {@code ca_file}, deleted afterwards), with the process's TLS engine on both sides; that listener
 * offers h2 and HTTP/1.1 by ALPN, one provider takes HTTP/1.1 ({@code http = "1.1"}) and the other HTTP/2
 * ({@code http = "2"}: what an https provider at the default {@code "auto"} gets from OpenAI, Anthropic or Google).
 * So the requests cover the downstream codec and handlers, routing, the upstream pools and client codecs, TLS and
 * HTTP/2 to the upstream and from a client, pass-through, model rewrite and translation both ways, plain and
 * streamed, through the same event loops and transport as real traffic. Its
 * metrics go to a registry of their own and it has no access log: nothing of it shows in {@code /metrics}, the
 * access log or any key's limits. With tracing on, each
 * of its requests is traced (always sampled) by a tracing of its own that exports nothing: no trace shows it.
 *
 * <p>Clients are Netty channels on the event loops; this class only waits for them, on the calling thread, never
 * on a loop. It stops at {@code requests} answers or at {@code timeout}, whichever comes first.
 */
public final class Warmup {
    /** Connections per event loop: enough to keep each loop busy while the others' answers are written. */
    private static final int CONNECTIONS_PER_LOOP = 4;
    private static final String MOCK = "warmup-mock";
    private static final String VIA_OPENAI = "warmup-via-openai";
    private static final String VIA_ANTHROPIC = "warmup-via-anthropic";
    private static final String VIA_TLS = "warmup-via-tls";
    private static final String VIA_HTTP2 = "warmup-via-h2";

    /**
     * What the warm-up did: answers received (200), those of them that crossed TLS to the upstream and those that
     * crossed it on HTTP/2, answers of another status or lost, and how long it took.
     */
    public record Result(int answered, int answeredOverTls, int answeredOverHttp2, int failed, boolean timedOut,
                         Duration took) {
    }

    /** One request of the mix: an endpoint, its body, and whether its route crosses TLS, and on HTTP/2. */
    private record Call(String path, byte[] body, boolean overTls, boolean overHttp2) {
    }

    private static final List<Call> CALLS = calls();

    private Warmup() {
    }

    /**
     * @param tracing the gateway's tracing: when on, every warm-up request is traced as real ones are (its
     *                {@link Tracing#forWarmup}), so the traced path is compiled too, and none of its spans is exported
     */
    static Result run(EventLoopGroup group, TransportChoice transport, UpstreamPools pools, TlsContexts tls,
                      int ioThreads, int requests, Duration timeout, Tracing tracing)
            throws InterruptedException, IOException, GeneralSecurityException {
        long start = System.nanoTime();
        byte[] secret = new byte[16];
        new SecureRandom().nextBytes(secret);
        String key = HexFormat.of().formatHex(secret);
        LoopbackCertificate certificate = LoopbackCertificate.make();
        SslContext serverTls = tls.server(certificate.key(), List.of(certificate.certificate()),
                List.of(ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1));
        AtomicReference<Snapshot> snapshot = new AtomicReference<>();
        GatewayMetrics metrics = new GatewayMetrics();
        ClientConnections connections = new ClientConnections(Integer.MAX_VALUE, () -> { });
        Tracing rehearsal = tracing.forWarmup();
        ExchangeTelemetry telemetry = new ExchangeTelemetry(metrics, null, BodyCapture.disabled(), rehearsal);
        ChannelGroup listeners = new DefaultChannelGroup("warmup-listeners", GlobalEventExecutor.INSTANCE);
        ChannelGroup clients = new DefaultChannelGroup("warmup", GlobalEventExecutor.INSTANCE);
        Path caFile = null;
        try {
            Channel listener = bind(group, transport, GatewayServer.pipeline(snapshot::get, () -> null, connections,
                    pools, metrics, telemetry, EndpointHandler.MetricsAccess.NONE, Runnable::run));
            listeners.add(listener);
            Channel tlsListener = bind(group, transport, GatewayServer.pipeline(snapshot::get, () -> serverTls,
                    connections, pools, metrics, telemetry, EndpointHandler.MetricsAccess.NONE, Runnable::run));
            listeners.add(tlsListener);
            caFile = Files.createTempFile("llm-gateway-warmup-", ".pem");
            Files.writeString(caFile, certificate.pem());
            snapshot.set(Snapshot.of(ConfigLoader.parse(config(port(listener), port(tlsListener), caFile, key),
                    "warm-up", Map.of())));
            Traffic traffic = new Traffic(requests, key);
            Bootstrap client = new Bootstrap().group(group).channel(transport.socketChannel())
                    .option(ChannelOption.TCP_NODELAY, true)
                    .handler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel channel) {
                            channel.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(1 << 20),
                                    traffic.new Driver());
                        }
                    });
            for (int i = 0; i < Math.min(requests, CONNECTIONS_PER_LOOP * ioThreads); i++) {
                clients.add(client.connect(listener.localAddress()).channel());
            }
            boolean done = traffic.finished.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
            return new Result(traffic.answered.get(), traffic.answeredOverTls.get(), traffic.answeredOverHttp2.get(),
                    traffic.failed.get(), !done, Duration.ofNanos(System.nanoTime() - start));
        } catch (ConfigException e) {
            throw new IllegalStateException("the warm-up's own config is invalid: " + e.getMessage(), e);
        } finally {
            clients.close().await(5, TimeUnit.SECONDS);
            listeners.close().await(5, TimeUnit.SECONDS);
            Snapshot used = snapshot.get();
            if (used != null) {
                pools.retire(used.providers().values());
            }
            rehearsal.close(); // after the connections: their spans have ended
            if (caFile != null) {
                Files.deleteIfExists(caFile);
            }
        }
    }

    private static Channel bind(EventLoopGroup group, TransportChoice transport, DownstreamPipeline pipeline)
            throws InterruptedException {
        return new ServerBootstrap().group(group).channel(transport.serverChannel())
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .childHandler(pipeline)
                .bind("127.0.0.1", 0).sync().channel();
    }

    private static int port(Channel listener) {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    /** The requests still to send and the answers so far, shared by every warm-up connection. */
    private static final class Traffic {
        private final int requests;
        private final String authorization;
        private final AtomicInteger sent = new AtomicInteger();
        private final AtomicInteger answered = new AtomicInteger();
        private final AtomicInteger answeredOverTls = new AtomicInteger();
        private final AtomicInteger answeredOverHttp2 = new AtomicInteger();
        private final AtomicInteger failed = new AtomicInteger();
        private final AtomicInteger open = new AtomicInteger();
        private final CountDownLatch finished = new CountDownLatch(1);

        Traffic(int requests, String key) {
            this.requests = requests;
            this.authorization = "Bearer " + key;
        }

        private void counted(boolean ok, Call call) {
            (ok ? answered : failed).incrementAndGet();
            if (ok && call.overTls) {
                answeredOverTls.incrementAndGet();
            }
            if (ok && call.overHttp2) {
                answeredOverHttp2.incrementAndGet();
            }
            if (answered.get() + failed.get() >= requests) {
                finished.countDown();
            }
        }

        /**
         * One keep-alive connection: sends the next request of the mix each time an answer is in. A connection
         * lost with a request out counts it failed; once none is left, the warm-up is over.
         */
        final class Driver extends SimpleChannelInboundHandler<FullHttpResponse> {
            /** The call sent and not yet answered; null when none is. */
            private Call awaiting;

            @Override
            public void channelActive(ChannelHandlerContext ctx) {
                open.incrementAndGet();
                sendNext(ctx);
            }

            @Override
            protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
                Call answered = awaiting;
                awaiting = null;
                counted(response.status().equals(HttpResponseStatus.OK), answered);
                sendNext(ctx);
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) {
                if (awaiting != null) {
                    counted(false, awaiting);
                }
                if (open.decrementAndGet() == 0) {
                    finished.countDown();
                }
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                ctx.close();
            }

            private void sendNext(ChannelHandlerContext ctx) {
                int n = sent.getAndIncrement();
                if (n >= requests) {
                    ctx.close();
                    return;
                }
                Call call = CALLS.get(n % CALLS.size());
                awaiting = call;
                FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, call.path,
                        Unpooled.wrappedBuffer(call.body));
                request.headers()
                        .set(HttpHeaderNames.HOST, "127.0.0.1")
                        .set(HttpHeaderNames.AUTHORIZATION, authorization)
                        .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                        .setInt(HttpHeaderNames.CONTENT_LENGTH, call.body.length);
                ctx.writeAndFlush(request).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
            }
        }
    }

    /**
     * The warm-up's snapshot: its mock answers at once, two loopback providers call {@code port}, two more
     * {@code tlsPort} over https (one on HTTP/1.1, one on HTTP/2), trusting {@code caFile} alone.
     */
    private static String config(int port, int tlsPort, Path caFile, String key) {
        return """
                [server]
                host = "127.0.0.1"
                port = 0
                warmup_requests = 0

                [[api_keys]]
                name = "warmup"
                key = "%1$s"
                models = ["*"]

                [providers.mock]
                type = "mock"
                tokens = 8
                token_delay = "0s"

                [providers.loopback_openai]
                type = "openai_compatible"
                base_url = "http://127.0.0.1:%2$d/v1"
                api_keys = ["%1$s"]

                [providers.loopback_anthropic]
                type = "anthropic"
                base_url = "http://127.0.0.1:%2$d/v1"
                api_keys = ["%1$s"]

                [providers.loopback_tls]
                type = "openai_compatible"
                base_url = "https://127.0.0.1:%6$d/v1"
                ca_file = "%7$s"
                api_keys = ["%1$s"]
                http = "1.1"

                [providers.loopback_h2]
                type = "openai_compatible"
                base_url = "https://127.0.0.1:%6$d/v1"
                ca_file = "%7$s"
                api_keys = ["%1$s"]
                http = "2"

                [models."%3$s"]
                provider = "mock"
                api_model = "mock-model-1"

                [models."%4$s"]
                provider = "loopback_openai"
                api_model = "%3$s"

                [models."%5$s"]
                provider = "loopback_anthropic"
                api_model = "%3$s"

                [models."%8$s"]
                provider = "loopback_tls"
                api_model = "%3$s"

                [models."%9$s"]
                provider = "loopback_h2"
                api_model = "%3$s"

                [metrics]
                enabled = false

                [access_log]
                enabled = false
                """.formatted(key, port, MOCK, VIA_OPENAI, VIA_ANTHROPIC, tlsPort, caFile, VIA_TLS, VIA_HTTP2);
    }

    /** Each client API, plain and streamed, to each of the five routes: 20 requests, sent in turn. */
    private static List<Call> calls() {
        String prompt = "You are a helpful assistant. Answer briefly.";
        String question = "The quick brown fox jumps over the lazy dog; what does the gateway do with each byte?";
        List<Call> calls = new ArrayList<>();
        for (String model : List.of(MOCK, VIA_OPENAI, VIA_ANTHROPIC, VIA_TLS, VIA_HTTP2)) {
            boolean overHttp2 = model.equals(VIA_HTTP2);
            boolean overTls = overHttp2 || model.equals(VIA_TLS);
            for (boolean stream : new boolean[] {false, true}) {
                calls.add(new Call("/v1/chat/completions", bytes("""
                        {"model":"%s","messages":[{"role":"system","content":"%s"},{"role":"user","content":"%s"}],\
                        "temperature":0.7,"max_tokens":256,"stream":%s}"""
                        .formatted(model, prompt, question, stream)), overTls, overHttp2));
                calls.add(new Call("/v1/messages", bytes("""
                        {"model":"%s","max_tokens":256,"system":"%s","messages":[{"role":"user","content":"%s"}],\
                        "temperature":0.7,"stream":%s}""".formatted(model, prompt, question, stream)), overTls,
                        overHttp2));
            }
        }
        return List.copyOf(calls);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
