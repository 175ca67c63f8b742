package dev.llmgateway.upstream;

import dev.llmgateway.config.ProviderType;
import dev.llmgateway.metrics.GatewayMetrics;
import dev.llmgateway.server.TransportChoice;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.resolver.dns.DnsAddressResolverGroup;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;

import javax.net.ssl.SSLException;
import java.util.Collection;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * One {@link ConnectionPool} per event loop and provider, built up front so lookups need no locks: an exchange
 * takes its connection from the pool of its client channel's loop, and relaying never crosses threads.
 * Connections resolve names with Netty's asynchronous DNS resolver and speak TLS with the JVM's trust store.
 */
public final class UpstreamPools implements UpstreamConnector, AutoCloseable {
    private final Map<EventExecutor, Map<String, ConnectionPool>> pools;
    private final DnsAddressResolverGroup resolver;

    public UpstreamPools(EventLoopGroup group, TransportChoice transport, Collection<Provider> providers) {
        this.resolver = new DnsAddressResolverGroup(new DnsNameResolverBuilder()
                .datagramChannelType(transport.datagramChannel())
                .socketChannelType(transport.socketChannel()));
        SslContext ssl = clientSslContext();
        int loops = 0;
        for (EventExecutor ignored : group) {
            loops++;
        }
        Map<EventExecutor, Map<String, ConnectionPool>> byLoop = new IdentityHashMap<>();
        for (EventExecutor executor : group) {
            EventLoop loop = (EventLoop) executor;
            Map<String, ConnectionPool> byProvider = new HashMap<>();
            for (Provider provider : providers) {
                if (provider.type() == ProviderType.MOCK) {
                    continue;
                }
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
                byProvider.put(provider.name(), new ConnectionPool(provider, loop, bootstrap, ssl, perLoop));
            }
            byLoop.put(loop, Map.copyOf(byProvider));
        }
        this.pools = byLoop;
    }

    /** A connection from the pool for {@code provider} on {@code loop}; the caller runs on {@code loop}. */
    @Override
    public Future<UpstreamConnection> acquire(EventLoop loop, Provider provider) {
        return pools.get(loop).get(provider.name()).acquire();
    }

    /**
     * Totals per provider for the pool gauges. Each loop counts its own pools (they are confined to it), so this
     * waits for the loops and must not run on one: it is called from the metrics scrape thread.
     */
    public Map<String, GatewayMetrics.PoolStats> stats() {
        Map<String, int[]> totals = new TreeMap<>();
        pools.forEach((loop, byProvider) -> {
            Future<Map<String, int[]>> counted = loop.submit(() -> {
                Map<String, int[]> counts = new HashMap<>();
                byProvider.forEach((name, pool) -> counts.put(name,
                        new int[] {pool.open(), pool.idle(), pool.pendingAcquires()}));
                return counts;
            });
            if (counted.awaitUninterruptibly(1, TimeUnit.SECONDS) && counted.isSuccess()) {
                counted.getNow().forEach((name, c) -> {
                    int[] sum = totals.computeIfAbsent(name, n -> new int[3]);
                    for (int i = 0; i < 3; i++) {
                        sum[i] += c[i];
                    }
                });
            }
        });
        Map<String, GatewayMetrics.PoolStats> stats = new TreeMap<>();
        totals.forEach((name, c) -> stats.put(name, new GatewayMetrics.PoolStats(c[0], c[1], c[2])));
        return stats;
    }

    @Override
    public void close() {
        pools.forEach((loop, byProvider) -> loop.execute(() -> byProvider.values().forEach(ConnectionPool::closeIdle)));
        resolver.close();
    }

    private static SslContext clientSslContext() {
        try {
            return SslContextBuilder.forClient()
                    .endpointIdentificationAlgorithm("HTTPS")
                    .applicationProtocolConfig(ApplicationProtocolConfig.DISABLED)
                    .build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot set up TLS for upstream connections", e);
        }
    }
}
