package dev.llmgateway.upstream;

import dev.llmgateway.config.ProviderType;
import dev.llmgateway.config.UpstreamHttp;
import dev.llmgateway.metrics.GatewayMetrics;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import dev.llmgateway.tls.TlsContexts;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.resolver.dns.DnsAddressResolverGroup;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;

import javax.net.ssl.SSLException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * One pool per event loop and provider ({@link ConnectionPool} for HTTP/1.1, {@link Http2Pool} for HTTP/2): an
 * exchange takes its connection (or stream) from the pool of its
 * client channel's loop, and relaying never crosses threads. Each loop's pools sit in a map only that loop touches,
 * so lookups need no locks; a pool is made on its loop at the first acquire for a provider. A provider a config
 * reload removed or changed is retired: its pools drain (idle connections close now, busy ones when their exchange
 * releases them) and leave the map once their last connection closes. Connections resolve names with Netty's
 * asynchronous DNS resolver. An https provider's connections share one TLS client context across loops (so a new
 * connection resumes a session any loop's connection made): the JVM trust store's, or one of the provider's own
 * {@code ca_file}, made by {@link #prepare} before a snapshot routes to the provider.
 */
public final class UpstreamPools implements UpstreamConnector, AutoCloseable {
    /** Loop → provider (by identity: a reloaded provider is a new object) → pool; each inner map is loop-confined. */
    private final Map<EventExecutor, Map<Provider, ProviderPool>> pools;
    private final TransportChoice transport;
    private final DnsAddressResolverGroup resolver;
    private final TlsContexts tls;
    /** The context of every https provider that trusts the JVM trust store. */
    private final SslContext jvmTrust;
    /** The contexts of providers with a {@code ca_file}; written by the thread preparing a snapshot, read by loops. */
    private final Map<Provider, SslContext> ownTrust = new ConcurrentHashMap<>();
    /** The contexts that offer HTTP/2 by ALPN, per https provider that may speak it; written and read like ownTrust. */
    private final Map<Provider, SslContext> alpnContexts = new ConcurrentHashMap<>();
    private final int loops;

    public UpstreamPools(EventLoopGroup group, TransportChoice transport, TlsContexts tls) {
        this.transport = transport;
        this.resolver = new DnsAddressResolverGroup(new DnsNameResolverBuilder()
                .datagramChannelType(transport.datagramChannel())
                .socketChannelType(transport.socketChannel()));
        this.tls = tls;
        this.jvmTrust = clientContext(null, List.of(), List.of());
        Map<EventExecutor, Map<Provider, ProviderPool>> byLoop = new IdentityHashMap<>();
        for (EventExecutor executor : group) {
            byLoop.put(executor, new HashMap<>());
        }
        this.pools = byLoop;
        this.loops = byLoop.size();
    }

    /** A connection from the pool for {@code provider} on {@code loop}; the caller runs on {@code loop}. */
    @Override
    public Future<? extends UpstreamSession> acquire(EventLoop loop, Provider provider) {
        assert loop.inEventLoop();
        Map<Provider, ProviderPool> byProvider = pools.get(loop);
        ProviderPool pool = byProvider.get(provider);
        if (pool == null) {
            pool = newPool(loop, provider, byProvider);
            byProvider.put(provider, pool);
        }
        return pool.acquire();
    }

    private ProviderPool newPool(EventLoop loop, Provider provider, Map<Provider, ProviderPool> byProvider) {
        Bootstrap bootstrap = new Bootstrap()
                .group(loop)
                .channel(transport.socketChannel())
                .resolver(resolver)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS,
                        (int) Math.min(Integer.MAX_VALUE, provider.config().connectTimeout().toMillis()));
        int perLoop = Math.max(1, (provider.config().maxConnections() + loops - 1) / loops);
        if (provider.config().http() == UpstreamHttp.HTTP_2) {
            return new Http2Pool(new PoolSite(provider, loop, bootstrap, alpnContext(provider), perLoop), null,
                    pool -> byProvider.remove(provider, pool));
        }
        if (provider.tls() && provider.config().http() == UpstreamHttp.AUTO) {
            // HTTP/2 unless this loop's first connection learns by ALPN that the provider speaks only HTTP/1.1
            // the same context for its HTTP/1.1 connections, so that they resume the sessions of the first
            PoolSite site = new PoolSite(provider, loop, bootstrap, alpnContext(provider), perLoop);
            return new Http2Pool(site, () -> {
                ConnectionPool http1 = new ConnectionPool(site, pool -> byProvider.remove(provider, pool));
                byProvider.put(provider, http1);
                return http1;
            }, pool -> byProvider.remove(provider, pool));
        }
        return new ConnectionPool(new PoolSite(provider, loop, bootstrap, sslContext(provider), perLoop),
                pool -> byProvider.remove(provider, pool));
    }

    /**
     * Makes the TLS contexts of the https providers among {@code providers} (their own CAs, their ALPN list), before a
     * snapshot routing to them serves: off the event loops, and a failure fails the start or the reload.
     */
    public void prepare(Collection<Provider> providers) {
        for (Provider provider : providers) {
            sslContext(provider);
            alpnContext(provider);
        }
    }

    /** The HTTP/1.1 context, without ALPN; null for plain-text providers; made here when {@link #prepare} did not. */
    private SslContext sslContext(Provider provider) {
        if (!provider.tls()) {
            return null;
        }
        List<X509Certificate> trusted = provider.config().caCertificates();
        if (trusted.isEmpty()) {
            return jvmTrust;
        }
        // A retired provider's last exchanges may still open connections: their context is not kept.
        return provider.retired() ? clientContext(provider.name(), trusted, List.of())
                : ownTrust.computeIfAbsent(provider, p -> clientContext(p.name(), trusted, List.of()));
    }

    /**
     * The context that offers HTTP/2 by ALPN: {@code h2} alone when the provider must speak it ({@code http = "2"}),
     * {@code h2} then {@code http/1.1} for {@code "auto"}; one per provider, shared by every loop so sessions resume.
     * Null for plain-text providers and {@code "1.1"}.
     */
    private SslContext alpnContext(Provider provider) {
        UpstreamHttp http = provider.config().http();
        if (!provider.tls() || http == UpstreamHttp.HTTP_1_1) {
            return null;
        }
        List<String> alpn = http == UpstreamHttp.HTTP_2 ? List.of(ApplicationProtocolNames.HTTP_2)
                : List.of(ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1);
        return provider.retired() ? clientContext(provider.name(), provider.config().caCertificates(), alpn)
                : alpnContexts.computeIfAbsent(provider, p -> clientContext(p.name(), p.config().caCertificates(), alpn));
    }

    /**
     * Retires providers that the running config no longer routes to: from now on their connections are never
     * handed out again once released. Runs on the reload thread; each loop retires its own pools.
     */
    public void retire(Collection<Provider> retired) {
        if (retired.isEmpty()) {
            return;
        }
        retired.forEach(Provider::retire);
        retired.forEach(ownTrust::remove);
        retired.forEach(alpnContexts::remove);
        pools.forEach((loop, byProvider) -> loop.execute(() -> retired.forEach(provider -> {
            ProviderPool pool = byProvider.get(provider);
            if (pool != null) {
                pool.retire();
            }
        })));
    }

    /**
     * Totals per provider name for the pool gauges, {@code current} providers included at zero. Each loop counts its
     * own pools (they are confined to it), so this waits for the loops and must not run on one: it is called from
     * the metrics scrape thread.
     */
    public Map<String, GatewayMetrics.PoolStats> stats(Collection<Provider> current) {
        Map<String, int[]> totals = new TreeMap<>();
        current.stream().filter(provider -> provider.type() != ProviderType.MOCK)
                .forEach(provider -> totals.put(provider.name(), new int[3]));
        pools.forEach((loop, byProvider) -> {
            if (loop.isShuttingDown()) {
                return; // the gateway is stopping: its pools are closing, and the loop takes no more tasks
            }
            // A retired provider's pools and its successor's share one name: their counts add up.
            Future<Map<String, int[]>> counted = loop.submit(() -> {
                Map<String, int[]> counts = new HashMap<>();
                byProvider.values().forEach(pool -> add(counts.computeIfAbsent(pool.provider().name(),
                        n -> new int[3]), new int[] {pool.open(), pool.idle(), pool.pendingAcquires()}));
                return counts;
            });
            if (counted.awaitUninterruptibly(1, TimeUnit.SECONDS) && counted.isSuccess()) {
                counted.getNow().forEach((name, c) -> add(totals.computeIfAbsent(name, n -> new int[3]), c));
            }
        });
        Map<String, GatewayMetrics.PoolStats> stats = new TreeMap<>();
        totals.forEach((name, c) -> stats.put(name, new GatewayMetrics.PoolStats(c[0], c[1], c[2])));
        return stats;
    }

    private static void add(int[] sum, int[] counts) {
        for (int i = 0; i < sum.length; i++) {
            sum[i] += counts[i];
        }
    }

    @Override
    public void close() {
        pools.forEach((loop, byProvider) -> loop.execute(() -> byProvider.values().forEach(ProviderPool::closeIdle)));
        resolver.close();
    }

    /** {@code alpn} empty: HTTP/1.1 only, no ALPN offered. */
    private SslContext clientContext(String provider, List<X509Certificate> trusted, List<String> alpn) {
        try {
            return tls.client(trusted, alpn);
        } catch (SSLException e) {
            throw new IllegalStateException(trusted.isEmpty() ? "cannot set up TLS for upstream connections"
                    : "providers." + provider + ".ca_file: cannot set up TLS with these CAs", e);
        }
    }
}
