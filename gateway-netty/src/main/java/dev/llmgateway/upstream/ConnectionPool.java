package dev.llmgateway.upstream;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Keep-alive connections to one provider, owned by one event loop (docs/ARCHITECTURE.md §7): every method runs
 * on that loop, so plain collections suffice. At most {@code site.maxConnections()} are open or opening; further acquires
 * wait in order, up to the connect timeout. Idle connections are reused newest first (the likeliest to be alive)
 * and closed once idle longer than {@code pool_idle_timeout}: by one sweep task per pool, scheduled on its loop
 * for the oldest idle connection's expiry while any connection idles, so a quiet pool holds no sockets for long.
 * A retired pool (its provider left the config) still serves the exchanges that started before, each on a
 * connection closed after use, and reports itself empty once its last connection has closed.
 */
public final class ConnectionPool implements ProviderPool, UpstreamConnection.Owner {
    private final PoolSite site;
    private final long idleTimeoutNanos;
    private final ArrayDeque<UpstreamConnection> idle = new ArrayDeque<>();
    private final AcquireQueue<UpstreamConnection> waiters;
    private final Consumer<ConnectionPool> emptied;
    /** The pending close of expired idle connections; null while none idles. */
    private ScheduledFuture<?> idleSweep;
    private int open;
    private boolean retired;

    /** @param emptied told, on the loop, when this pool is retired and holds no connection any more */
    ConnectionPool(PoolSite site, Consumer<ConnectionPool> emptied) {
        this.site = site;
        this.idleTimeoutNanos = site.idleTimeoutNanos();
        this.waiters = site.newWaiters();
        this.emptied = emptied;
        this.retired = site.provider().retired();
    }

    @Override
    public Provider provider() {
        return site.provider();
    }

    @Override
    public int open() {
        return open;
    }

    @Override
    public int idle() {
        return idle.size();
    }

    @Override
    public int pendingAcquires() {
        return waiters.size();
    }

    @Override
    public Future<UpstreamConnection> acquire() {
        assert site.loop().inEventLoop();
        long now = System.nanoTime();
        UpstreamConnection connection;
        while ((connection = idle.pollLast()) != null) {
            if (connection.channel().isActive() && now - connection.idleSinceNanos() < idleTimeoutNanos) {
                return site.loop().newSucceededFuture(connection);
            }
            connection.channel().close();
        }
        Promise<UpstreamConnection> promise = site.loop().newPromise();
        if (open < site.maxConnections()) {
            connect(promise);
        } else {
            waiters.add(promise, "all " + site.maxConnections() + " connections of this event loop are busy");
        }
        return promise;
    }

    /** Takes a connection back; a reusable one serves the next waiter or waits idle, any other is closed. */
    @Override
    public void release(UpstreamConnection connection, boolean reusable) {
        assert site.loop().inEventLoop();
        if (!reusable || retired || !connection.channel().isActive()) {
            connection.channel().close();
            return;
        }
        connection.parked(System.nanoTime());
        Promise<UpstreamConnection> waiter;
        while ((waiter = waiters.poll()) != null) {
            if (waiter.trySuccess(connection)) {
                return;
            }
        }
        idle.addLast(connection);
        scheduleIdleSweep();
    }

    /** Arms the sweep for when the oldest idle connection expires (the deque's head: it is filled in idle order). */
    private void scheduleIdleSweep() {
        UpstreamConnection oldest = idle.peekFirst();
        if (idleSweep == null && oldest != null) {
            long dueNanos = oldest.idleSinceNanos() + idleTimeoutNanos - System.nanoTime();
            idleSweep = site.loop().schedule(this::sweepIdle, Math.max(0, dueNanos), TimeUnit.NANOSECONDS);
        }
    }

    private void sweepIdle() {
        idleSweep = null;
        long now = System.nanoTime();
        UpstreamConnection oldest;
        while ((oldest = idle.peekFirst()) != null && now - oldest.idleSinceNanos() >= idleTimeoutNanos) {
            idle.pollFirst();
            oldest.channel().close();
        }
        scheduleIdleSweep();
    }

    private void connect(Promise<UpstreamConnection> promise) {
        open++;
        UpstreamConnection connection = new UpstreamConnection(this);
        ChannelFuture connect = site.connect(UpstreamChannelInitializer.http1(site.provider(), site.sslContext(), connection));
        Channel channel = connect.channel();
        channel.closeFuture().addListener(closed -> onClosed(connection));
        connect.addListener(done -> {
            if (!done.isSuccess()) {
                promise.tryFailure(done.cause());
                return;
            }
            SslHandler ssl = channel.pipeline().get(SslHandler.class);
            if (ssl == null) {
                handOver(promise, connection);
                return;
            }
            ssl.handshakeFuture().addListener(handshake -> {
                if (handshake.isSuccess() && ApplicationProtocolNames.HTTP_2.equals(ssl.applicationProtocol())) {
                    // an http = "auto" provider that chose HTTP/1.1 before offers h2 by ALPN on this one: not here
                    promise.tryFailure(new IOException("the provider chose h2 by ALPN on an HTTP/1.1 connection"));
                    channel.close();
                } else if (handshake.isSuccess()) {
                    handOver(promise, connection);
                } else {
                    promise.tryFailure(handshake.cause());
                    channel.close();
                }
            });
        });
    }

    /**
     * Takes in a connection opened elsewhere, its TLS handshake done: the first of an {@code http = "auto"} provider
     * whose ALPN said HTTP/1.1 ({@link Http2Pool}). It gets this pool's pipeline end and serves like its own.
     */
    void adopt(Channel channel) {
        open++;
        UpstreamConnection connection = new UpstreamConnection(this);
        channel.pipeline()
                .addLast(UpstreamChannelInitializer.HTTP_CODEC, new UpstreamHttpCodec())
                .addLast(UpstreamChannelInitializer.RESPONSE, connection);
        channel.closeFuture().addListener(closed -> onClosed(connection));
        release(connection, true);
    }

    /** A connection whose requester gave up meanwhile is not wasted: it serves the next one. */
    private void handOver(Promise<UpstreamConnection> promise, UpstreamConnection connection) {
        if (!promise.trySuccess(connection)) {
            release(connection, true);
        }
    }

    private void onClosed(UpstreamConnection connection) {
        open--;
        idle.remove(connection);
        Promise<UpstreamConnection> waiter;
        while (open < site.maxConnections() && (waiter = waiters.poll()) != null) {
            if (!waiter.isDone()) {
                connect(waiter);
            }
        }
        if (retired && open == 0) {
            emptied.accept(this);
        }
    }

    @Override
    public void retire() {
        assert site.loop().inEventLoop();
        retired = true;
        closeIdle();
        if (open == 0) {
            emptied.accept(this);
        }
    }

    @Override
    public void closeIdle() {
        UpstreamConnection connection;
        while ((connection = idle.poll()) != null) {
            connection.channel().close();
        }
    }
}
