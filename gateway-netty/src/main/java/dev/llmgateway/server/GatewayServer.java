package dev.llmgateway.server;

import dev.llmgateway.auth.ApiKeyAuthHandler;
import dev.llmgateway.auth.KeyTable;
import dev.llmgateway.config.GatewayConfig;
import dev.llmgateway.config.ProviderConfig;
import dev.llmgateway.config.ServerConfig;
import dev.llmgateway.proxy.ProxyCall;
import dev.llmgateway.routing.ModelListHandler;
import dev.llmgateway.routing.ModelRouteHandler;
import dev.llmgateway.routing.ModelRouter;
import dev.llmgateway.upstream.Provider;
import dev.llmgateway.upstream.UpstreamPools;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;

import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The running gateway: one event-loop group (thread per core) shared by client and provider connections, the
 * upstream pools of each loop, and the listening socket.
 */
public final class GatewayServer implements AutoCloseable {
    /** Write-buffer watermarks: above HIGH the client counts as unwritable and the upstream stops being read. */
    private static final WriteBufferWaterMark WATERMARKS = new WriteBufferWaterMark(32 * 1024, 64 * 1024);

    private final TransportChoice transport;
    private final EventLoopGroup group;
    private final UpstreamPools pools;
    private final Channel listener;
    private final int ioThreads;

    private GatewayServer(TransportChoice transport, EventLoopGroup group, UpstreamPools pools, Channel listener,
                          int ioThreads) {
        this.transport = transport;
        this.group = group;
        this.pools = pools;
        this.listener = listener;
        this.ioThreads = ioThreads;
    }

    public static GatewayServer start(GatewayConfig config) throws InterruptedException {
        ServerConfig server = config.server();
        TransportChoice transport = TransportChoice.choose(server.transport());
        int threads = server.ioThreads() > 0 ? server.ioThreads() : Runtime.getRuntime().availableProcessors();
        EventLoopGroup group = transport.newEventLoopGroup(threads, "gateway-io");
        try {
            Map<String, Provider> providers = new LinkedHashMap<>();
            for (ProviderConfig provider : config.providers().values()) {
                providers.put(provider.name(), new Provider(provider));
            }
            KeyTable keys = new KeyTable(config.apiKeys());
            ModelRouter router = new ModelRouter(config, providers);
            UpstreamPools pools = new UpstreamPools(group, transport, providers.values());
            DownstreamPipeline pipeline = new DownstreamPipeline(server,
                    new EndpointHandler(() -> true),
                    new ApiKeyAuthHandler(() -> keys),
                    new ModelListHandler(() -> router, System.currentTimeMillis() / 1000),
                    new ModelRouteHandler(() -> router),
                    ProxyCall.factory(pools));
            Channel listener = new ServerBootstrap()
                    .group(group)
                    .channel(transport.serverChannel())
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childOption(ChannelOption.SO_KEEPALIVE, true)
                    .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                    .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATERMARKS)
                    .childHandler(pipeline)
                    .bind(server.host(), server.port())
                    .sync()
                    .channel();
            return new GatewayServer(transport, group, pools, listener, threads);
        } catch (RuntimeException | InterruptedException e) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw e;
        }
    }

    public int port() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    public TransportChoice transport() {
        return transport;
    }

    public int ioThreads() {
        return ioThreads;
    }

    @Override
    public void close() {
        listener.close().syncUninterruptibly();
        pools.close();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
