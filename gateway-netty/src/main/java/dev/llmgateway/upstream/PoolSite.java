package dev.llmgateway.upstream;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslContext;

import java.net.InetSocketAddress;

/**
 * What a provider's pool on one event loop is given, whatever its protocol: the provider, the loop that owns the
 * pool, how it connects (the transport's bootstrap and, for https, the TLS context) and its share of the provider's
 * {@code max_connections}.
 */
record PoolSite(Provider provider, EventLoop loop, Bootstrap bootstrap, SslContext sslContext, int maxConnections) {

    long idleTimeoutNanos() {
        return provider.config().poolIdleTimeout().toNanos();
    }

    /** The queue requests wait in when the pool is full: each fails after the provider's connect timeout. */
    <T> AcquireQueue<T> newWaiters() {
        return new AcquireQueue<>(loop, provider.config().connectTimeout().toNanos());
    }

    /** Opens a connection to the provider through {@code initializer}; the name is resolved by the bootstrap's resolver. */
    ChannelFuture connect(ChannelHandler initializer) {
        return bootstrap.clone().handler(initializer)
                .connect(InetSocketAddress.createUnresolved(provider.host(), provider.port()));
    }
}
