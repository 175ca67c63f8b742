package dev.llmgateway.server;

import dev.llmgateway.upstream.TransportChoice;
import dev.llmgateway.accesslog.AccessLog;
import dev.llmgateway.accesslog.BodyCapture;
import dev.llmgateway.auth.ApiKeyAuthHandler;
import dev.llmgateway.config.ConfigReloader;
import dev.llmgateway.config.GatewayConfig;
import dev.llmgateway.config.ObservabilityConfig;
import dev.llmgateway.config.ServerConfig;
import dev.llmgateway.config.ServerTlsConfig;
import dev.llmgateway.metrics.GatewayMetrics;
import dev.llmgateway.exchange.ExchangeObserver;
import dev.llmgateway.proxy.ProxyCall;
import dev.llmgateway.routing.ModelListHandler;
import dev.llmgateway.routing.ModelRouteHandler;
import dev.llmgateway.tls.TlsContexts;
import dev.llmgateway.tracing.Tracing;
import dev.llmgateway.budget.BudgetHandler;
import dev.llmgateway.shared.SharedState;
import dev.llmgateway.upstream.Provider;
import dev.llmgateway.upstream.UpstreamConnector;
import dev.llmgateway.upstream.UpstreamPools;
import dev.llmgateway.mock.MockProvider;
import dev.llmgateway.config.ProviderType;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;

import java.io.IOException;
import java.io.UncheckedIOException;
import javax.net.ssl.SSLException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * The running gateway: one event-loop group (thread per core) shared by client and provider connections, the
 * upstream pools of each loop, the listening socket (and an admin socket for {@code /metrics} when configured),
 * the telemetry (Prometheus metrics, the access log, traces), and the config {@link Snapshot} the handlers serve with,
 * which a reload swaps.
 */
public final class GatewayServer implements ConfigReloader.Target, AutoCloseable {
    /** Write-buffer watermarks: above HIGH the client counts as unwritable and the upstream stops being read. */
    private static final WriteBufferWaterMark WATERMARKS = new WriteBufferWaterMark(32 * 1024, 64 * 1024);
    /** How long {@link #close()} waits for the client connections still open to close, and each loop to settle. */
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(2);

    private final TransportChoice transport;
    private final EventLoopGroup group;
    private final UpstreamPools pools;
    private final Channel listener;
    private final Channel adminListener;
    private final int ioThreads;
    private final GatewayMetrics metrics;
    private final AccessLog accessLog;
    private final BodyCapture capture;
    private final ExecutorService scrapes;
    private final ClientConnections connections;
    private final AtomicReference<Snapshot> snapshot;
    private final CompletableFuture<Warmup.Result> warmup;
    private final Tracing tracing;
    private final TlsContexts tls;
    /** The listener's TLS context for new connections (null: plain HTTP); a reload may swap it. */
    private final AtomicReference<SslContext> listenerTls;

    private GatewayServer(TransportChoice transport, EventLoopGroup group, UpstreamPools pools, Channel listener,
                          Channel adminListener, int ioThreads, GatewayMetrics metrics, AccessLog accessLog,
                          BodyCapture capture, ExecutorService scrapes, ClientConnections connections,
                          AtomicReference<Snapshot> snapshot, CompletableFuture<Warmup.Result> warmup,
                          Tracing tracing, TlsContexts tls, AtomicReference<SslContext> listenerTls) {
        this.transport = transport;
        this.group = group;
        this.pools = pools;
        this.listener = listener;
        this.adminListener = adminListener;
        this.ioThreads = ioThreads;
        this.metrics = metrics;
        this.accessLog = accessLog;
        this.capture = capture;
        this.scrapes = scrapes;
        this.connections = connections;
        this.snapshot = snapshot;
        this.warmup = warmup;
        this.tracing = tracing;
        this.tls = tls;
        this.listenerTls = listenerTls;
    }

    /** Starts with the access log the config asks for, without the startup warm-up. */
    public static GatewayServer start(GatewayConfig config) throws InterruptedException {
        return start(config, false);
    }

    /**
     * Starts with the access log the config asks for. With {@code warmUp} and {@code server.warmup_requests} above
     * zero, the startup {@link Warmup} runs on a thread of its own while the listeners serve, and {@code /ready}
     * answers 503 until it is over ({@link #warmup()}).
     */
    public static GatewayServer start(GatewayConfig config, boolean warmUp) throws InterruptedException {
        ObservabilityConfig observability = config.observability();
        if (!observability.accessLogEnabled()) {
            return start(config, null, warmUp);
        }
        try {
            return start(config, AccessLog.open(observability.accessLogSink(),
                    AccessLog.Format.valueOf(observability.accessLogFormat().name()), observability.accessLogQueue()),
                    warmUp);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the access log " + observability.accessLogSink(), e);
        }
    }

    /** Starts with a given access log (null for none), without the warm-up; the server closes the log when it stops. */
    public static GatewayServer start(GatewayConfig config, AccessLog accessLog) throws InterruptedException {
        return start(config, accessLog, false);
    }

    private static GatewayServer start(GatewayConfig config, AccessLog accessLog, boolean warmUp)
            throws InterruptedException {
        ServerConfig server = config.server();
        ObservabilityConfig observability = config.observability();
        TransportChoice transport = TransportChoice.choose(server.transport());
        int threads = server.ioThreads() > 0 ? server.ioThreads() : Runtime.getRuntime().availableProcessors();
        EventLoopGroup group = transport.newEventLoopGroup(threads, "gateway-io");
        ExecutorService scrapes = Executors.newSingleThreadExecutor(new DefaultThreadFactory("metrics-scrape", true));
        BodyCapture capture = BodyCapture.disabled();
        Tracing tracing = Tracing.OFF;
        SharedState shared = null;
        try {
            if (observability.captureEnabled()) {
                capture = BodyCapture.open(observability.captureFile(), observability.captureMaxBytes());
                capture.secrets(config.secrets());
            }
            GatewayMetrics metrics = new GatewayMetrics();
            AtomicReference<Snapshot> snapshot = new AtomicReference<>();
            if (config.shared() != null) {
                shared = SharedState.start(config.shared(), group, transport.socketChannel(),
                        transport.datagramChannel(), metrics.registry(),
                        (provider, keyId, nanos) -> restedElsewhere(snapshot.get(), provider, keyId, nanos));
            }
            snapshot.set(Snapshot.of(config, shared));
            TlsContexts tls = TlsContexts.choose(server.tlsEngine());
            AtomicReference<SslContext> listenerTls = new AtomicReference<>(listenerContext(tls, server));
            UpstreamPools pools = new UpstreamPools(group, transport, tls);
            pools.prepare(snapshot.get().providers().values());
            metrics.poolStats(() -> pools.stats(snapshot.get().providers().values()));
            ClientConnections connections = new ClientConnections(server.maxConnections(),
                    metrics::connectionRejected);
            boolean warming = warmUp && server.warmupRequests() > 0;
            connections.warm(!warming);
            metrics.openConnections(connections::size);
            metrics.circuitStates(() -> circuitStates(snapshot.get().providers()));
            tracing = Tracing.start(observability.tracing(), observability.captureMaxBytes());
            tracing.secrets(config.secrets());
            Tracing traces = tracing;
            ExchangeObserver telemetry = new ExchangeTelemetry(metrics, accessLog, capture, tracing);
            boolean adminPort = observability.metricsEnabled() && observability.metricsPort() > 0;
            EndpointHandler.MetricsAccess access = !observability.metricsEnabled() ? EndpointHandler.MetricsAccess.NONE
                    : observability.metricsRequireKey() ? EndpointHandler.MetricsAccess.KEY
                    : EndpointHandler.MetricsAccess.OPEN;
            DownstreamPipeline pipeline = pipeline(snapshot::get, listenerTls::get, connections, pools, metrics,
                    telemetry, adminPort ? EndpointHandler.MetricsAccess.NONE : access, scrapes);
            Channel listener = bind(group, transport, pipeline, server.host(), server.port());
            Channel admin = !adminPort ? null : bind(group, transport,
                    DownstreamPipeline.admin(() -> snapshot.get().config().server(), new EndpointHandler(
                            () -> new Readiness(connections.ready(), snapshot.get().providers(),
                                snapshot.get().shared()), telemetry, metrics,
                            access, () -> snapshot.get().keys(), scrapes, true), metrics::stalledClientClosed),
                    server.host(), observability.metricsPort());
            CompletableFuture<Warmup.Result> warmup = !warming ? CompletableFuture.completedFuture(null)
                    : warmUpInBackground(connections, () -> Warmup.run(group, transport, pools, tls, threads,
                            server.warmupRequests(), server.warmupTimeout(), traces));
            return new GatewayServer(transport, group, pools, listener, admin, threads, metrics, accessLog, capture,
                    scrapes, connections, snapshot, warmup, tracing, tls, listenerTls);
        } catch (IOException e) {
            closeQuietly(shared);
            stopQuietly(group, scrapes, accessLog, capture, tracing);
            throw new UncheckedIOException("cannot open the body capture " + observability.captureFile(), e);
        } catch (RuntimeException | InterruptedException e) {
            closeQuietly(shared);
            stopQuietly(group, scrapes, accessLog, capture, tracing);
            throw e;
        }
    }

    /** Another replica rested an upstream key after a 429: the running provider of that name rests it too. */
    private static void restedElsewhere(Snapshot snapshot, String provider, String keyId, long nanos) {
        Provider running = snapshot == null ? null : snapshot.providers().get(provider);
        if (running != null) {
            running.keys().restedElsewhere(keyId, System.nanoTime() + nanos);
        }
    }

    private static void closeQuietly(SharedState shared) {
        if (shared != null) {
            shared.close();
        }
    }

    /** Runs the warm-up off the main thread and off the event loops; ready afterwards, even if it failed. */
    private static CompletableFuture<Warmup.Result> warmUpInBackground(ClientConnections connections,
                                                                       Callable<Warmup.Result> warmup) {
        CompletableFuture<Warmup.Result> result = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            Warmup.Result outcome = null;
            Throwable failure = null;
            try {
                outcome = warmup.call();
            } catch (Throwable e) {
                failure = e;
            }
            // Ready before the future completes: whoever saw it complete sees /ready say ready.
            connections.warm(true);
            if (failure == null) {
                result.complete(outcome);
            } else {
                result.completeExceptionally(failure);
            }
        }, "gateway-warmup");
        thread.setDaemon(true);
        thread.start();
        return result;
    }

    /**
     * The listener's TLS context for {@code [server.tls]}, null without it. With {@code http2} on it offers
     * {@code h2} then {@code http/1.1} by ALPN; off, no ALPN list (HTTP/1.1 is all it speaks).
     */
    private static SslContext listenerContext(TlsContexts tls, ServerConfig server) {
        ServerTlsConfig config = server.tls();
        if (config == null) {
            return null;
        }
        try {
            return tls.server(config.key(), config.chain(), server.http2().enabled()
                    ? List.of(ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1) : List.of());
        } catch (SSLException e) {
            throw new IllegalStateException("server.tls: cannot serve TLS with " + config.certFile() + " and "
                    + config.keyFile() + ": " + e.getMessage(), e);
        }
    }

    /**
     * The client pipeline serving the current {@code snapshot} (read per connection and per request), proxying
     * through {@code upstreams}, speaking TLS with {@code listenerTls} when it gives a context. Public so benchmarks
     * can run the very pipeline the server runs.
     */
    public static DownstreamPipeline pipeline(Supplier<Snapshot> snapshot, Supplier<SslContext> listenerTls,
                                              ClientConnections connections, UpstreamConnector upstreams,
                                              GatewayMetrics metrics, ExchangeObserver observer,
                                              EndpointHandler.MetricsAccess access, Executor scrapes) {
        return new DownstreamPipeline(() -> snapshot.get().config().server(), listenerTls, connections,
                new EndpointHandler(() -> new Readiness(connections.ready(), snapshot.get().providers(),
                                snapshot.get().shared()), observer,
                        metrics, access, () -> snapshot.get().keys(), scrapes, false),
                new ApiKeyAuthHandler(() -> snapshot.get().keys()),
                new ModelListHandler(() -> snapshot.get().router(), System.currentTimeMillis() / 1000),
                new ModelRouteHandler(() -> snapshot.get().router()),
                ProxyCall.factory(withMock(upstreams), metrics),
                new BudgetHandler(() -> snapshot.get().budgets()), metrics::stalledClientClosed);
    }

    /** The built-in mock is a connector of its own; every other provider type goes through {@code upstreams}. */
    private static UpstreamConnector withMock(UpstreamConnector upstreams) {
        MockProvider mock = new MockProvider();
        return (loop, provider) -> provider.type() == ProviderType.MOCK ? mock.acquire(loop, provider)
                : upstreams.acquire(loop, provider);
    }

    @Override
    public GatewayConfig running() {
        return snapshot.get().config();
    }

    /**
     * Swaps in the snapshot for {@code next} (restart-bound settings already kept by the caller): new connections
     * take the new server limits and listener certificate, new requests the new keys and routes, and the pools of
     * providers it drops or changes drain and close. Runs on the reload thread; requests in flight keep what they
     * hold. What can fail (TLS contexts) is made before anything is swapped.
     */
    @Override
    public void apply(GatewayConfig next) {
        Snapshot previous = snapshot.get();
        ServerConfig wanted = next.server();
        ServerConfig running = previous.config().server();
        SslContext nextListenerTls = Objects.equals(wanted.tls(), running.tls())
                && wanted.http2().enabled() == running.http2().enabled() ? listenerTls.get()
                : listenerContext(tls, wanted);
        Snapshot applied = previous.next(next);
        pools.prepare(applied.providers().values());
        listenerTls.set(nextListenerTls);
        connections.maxConnections(next.server().maxConnections());
        capture.secrets(next.secrets());
        tracing.secrets(next.secrets());
        snapshot.set(applied);
        pools.retire(previous.retiredBy(applied));
    }

    /** Breakers are lock-free, so the scraping thread reads them directly. */
    private static Map<String, Integer> circuitStates(Map<String, Provider> providers) {
        long now = System.nanoTime();
        Map<String, Integer> states = new LinkedHashMap<>();
        providers.forEach((name, provider) -> states.put(name, provider.breaker().state(now).ordinal()));
        return states;
    }

    /**
     * Waits until each loop has run what is queued on it now, twice: a channel's close queues its inactive event,
     * which may queue an upstream close, whose own events come a turn later.
     */
    private void settleLoops() {
        for (int turn = 0; turn < 2; turn++) {
            for (EventExecutor loop : group) {
                loop.submit(() -> { }).awaitUninterruptibly(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
    }

    private static void stopQuietly(EventLoopGroup group, ExecutorService scrapes, AccessLog accessLog,
                                    BodyCapture capture, Tracing tracing) {
        group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
        scrapes.shutdownNow();
        if (accessLog != null) {
            accessLog.close();
        }
        capture.close();
        tracing.close(); // after the loops: their last spans are ended
    }

    /** A failed bind names the address: the cause alone ("Address already in use") does not say which one. */
    private static Channel bind(EventLoopGroup group, TransportChoice transport, ChannelHandler pipeline,
                                String host, int port) throws InterruptedException {
        ChannelFuture bound = new ServerBootstrap()
                .group(group)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATERMARKS)
                .childHandler(pipeline)
                .bind(host, port)
                .await();
        if (!bound.isSuccess()) {
            throw new IllegalStateException("cannot listen on " + host + ":" + port + ": " + bound.cause().getMessage(),
                    bound.cause());
        }
        return bound.channel();
    }

    public int port() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    /** The admin port serving /metrics, or -1 when metrics are served on the main port. */
    public int adminPort() {
        return adminListener == null ? -1 : ((InetSocketAddress) adminListener.localAddress()).getPort();
    }

    public TransportChoice transport() {
        return transport;
    }

    public int ioThreads() {
        return ioThreads;
    }

    public GatewayMetrics metrics() {
        return metrics;
    }

    /** The config snapshot serving new requests now. */
    public Snapshot snapshot() {
        return snapshot.get();
    }

    /** The startup warm-up's outcome, once {@code /ready} says ready; null when the server started without one. */
    public CompletableFuture<Warmup.Result> warmup() {
        return warmup;
    }

    /**
     * Graceful drain (on SIGTERM): {@code /ready} turns 503, the listener stops accepting, idle connections close,
     * and in-flight requests get up to {@code timeout} to finish before they are ended with a draining error.
     * Blocks; {@link #close()} follows it.
     *
     * @return true when everything finished within the timeout
     */
    public boolean drain(Duration timeout) throws InterruptedException {
        connections.startDrain();
        listener.close().sync();
        return connections.awaitDrained(timeout);
    }

    /**
     * Stops the gateway. Connections still open (no drain before, or one that outlived its deadline) are closed
     * while the loops still run, so each exchange in flight ends as cancelled — upstream stream reset or connection
     * closed, its buffers released, recorded — before the loops stop; a loop's shutdown would close them without
     * running what their close sets off.
     */
    @Override
    public void close() {
        listener.close().syncUninterruptibly();
        if (adminListener != null) {
            adminListener.close().syncUninterruptibly();
        }
        connections.closeAll(CLOSE_TIMEOUT);
        settleLoops();
        pools.close();
        // After the drain: the requests that ended in it gave their slots back and charged their tokens.
        closeQuietly(snapshot.get().shared());
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        stopQuietly(group, scrapes, accessLog, capture, tracing);
    }
}
