package dev.llmgateway.upstream;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * HTTP/2 connections to one provider, owned by one event loop (docs/ARCHITECTURE.md §7): each request is a stream
 * on the first connection with room under the provider's SETTINGS_MAX_CONCURRENT_STREAMS, so one connection
 * carries them all until that limit; only then is another opened, one at a time (while one is opening, requests
 * wait for it rather than each opening its own), up to {@code site.maxConnections()}. Requests that find no room wait in
 * order, up to the connect timeout; a connection that cannot be opened fails the requests waiting for it. A
 * connection the provider sends GOAWAY takes no new stream; the next request opens a fresh one. Every method runs
 * on the pool's loop, so plain collections suffice.
 */
final class Http2Pool implements ProviderPool {
    private final PoolSite site;
    /** Open and opening, oldest first: new streams fill the oldest with room. */
    private final List<Http2Connection> connections = new ArrayList<>();
    private final AcquireQueue<UpstreamSession> waiters;
    private final Consumer<ProviderPool> emptied;
    /** {@code http = "auto"}: makes the HTTP/1.1 pool that replaces this one when ALPN says no; null when h2 is required. */
    private final Supplier<ConnectionPool> http1Fallback;
    /** The connection being opened; at most one at a time. */
    private Http2Connection opening;
    private boolean retired;

    Http2Pool(PoolSite site, Supplier<ConnectionPool> http1Fallback, Consumer<ProviderPool> emptied) {
        this.http1Fallback = http1Fallback;
        this.site = site;
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
        return connections.size();
    }

    @Override
    public int idle() {
        int idle = 0;
        for (Http2Connection connection : connections) {
            if (connection.state() == Http2Connection.State.READY && connection.streams() == 0) {
                idle++;
            }
        }
        return idle;
    }

    @Override
    public int pendingAcquires() {
        return waiters.size();
    }

    @Override
    public Future<UpstreamSession> acquire() {
        assert site.loop().inEventLoop();
        Promise<UpstreamSession> promise = site.loop().newPromise();
        Http2Connection connection = waiters.isEmpty() ? withRoom() : null;
        if (connection != null) {
            connection.openStream(promise);
            return promise;
        }
        waiters.add(promise, "every HTTP/2 connection of this event loop is at the provider's stream limit"
                + " or being opened");
        openIfNeeded();
        return promise;
    }

    private Http2Connection withRoom() {
        for (Http2Connection connection : connections) {
            if (connection.hasRoom()) {
                return connection;
            }
        }
        return null;
    }

    /** Requests wait and none of the open connections has room: one more is opened, unless one is opening. */
    private void openIfNeeded() {
        if (opening == null && !waiters.isEmpty() && connections.size() < site.maxConnections()) {
            connect();
        }
    }

    private void connect() {
        Http2Connection connection = new Http2Connection(this, site.idleTimeoutNanos());
        opening = connection;
        connections.add(connection);
        ChannelFuture connect = site.connect(UpstreamChannelInitializer.http2(site.provider(), site.sslContext(), connection));
        Channel channel = connect.channel();
        connection.opened(channel);
        channel.closeFuture().addListener(closed -> closed(connection, channel));
        connect.addListener(done -> {
            if (!done.isSuccess()) {
                failOpening(connection, channel, done.cause());
            }
        });
    }

    /** The provider's first SETTINGS arrived: the waiting requests take their streams. */
    void ready(Http2Connection connection) {
        if (opening == connection) {
            opening = null;
        }
        roomChanged();
        if (retired) {
            connection.goAway(); // it served the exchanges that started before the retirement; it takes no more
        }
    }

    /** A stream ended, a limit or a connection's state changed: waiting requests take what room there is. */
    void roomChanged() {
        Promise<UpstreamSession> waiter;
        Http2Connection connection;
        while ((waiter = waiters.peek()) != null && (connection = withRoom()) != null) {
            waiters.poll();
            if (!waiter.isDone()) {
                connection.openStream(waiter);
            }
        }
        openIfNeeded();
    }

    private void closed(Http2Connection connection, Channel channel) {
        if (!connections.remove(connection)) {
            return; // handed to the HTTP/1.1 pool that replaced this one
        }
        if (opening == connection) {
            failOpening(connection, channel, new IOException("the provider closed the connection before its HTTP/2 settings"
                    + " (does it speak HTTP/2" + (site.provider().tls() ? "" : " with prior knowledge, h2c") + "?)"));
        }
        if (retired && connections.isEmpty()) {
            emptied.accept(this);
            return;
        }
        roomChanged();
    }

    void openFailed(Http2Connection connection, Throwable cause) {
        failOpening(connection, connection.channel(), cause);
    }

    /**
     * ALPN chose another protocol than {@code h2}. With {@code http = "auto"} the provider speaks HTTP/1.1 on this loop
     * from now on: an HTTP/1.1 pool takes this one's place, with this connection (its handshake done) as its first,
     * and this pool's waiting requests. With {@code "2"} the requests fail.
     */
    void http2NotChosen(Http2Connection connection, String protocol) {
        if (http1Fallback == null) {
            failOpening(connection, connection.channel(), new IOException("the provider chose " + protocol
                    + " by ALPN, not h2, which http = \"2\" requires"));
            return;
        }
        retired = true;
        opening = null;
        connections.remove(connection);
        ConnectionPool http1 = http1Fallback.get();
        http1.adopt(connection.channel());
        Promise<UpstreamSession> waiter;
        while ((waiter = waiters.poll()) != null) {
            Promise<UpstreamSession> moved = waiter;
            http1.acquire().addListener(acquired -> {
                if (!acquired.isSuccess()) {
                    moved.tryFailure(acquired.cause());
                } else if (!moved.trySuccess((UpstreamSession) acquired.getNow())) {
                    ((UpstreamSession) acquired.getNow()).finish(true); // its requester gave up meanwhile
                }
            });
        }
    }

    /** The connection being opened failed: the requests waiting for it fail too (each call retries as it may). */
    private void failOpening(Http2Connection connection, Channel channel, Throwable cause) {
        if (opening != connection) {
            return;
        }
        opening = null;
        Promise<UpstreamSession> waiter;
        while ((waiter = waiters.poll()) != null) {
            waiter.tryFailure(cause);
        }
        channel.close();
    }

    @Override
    public void retire() {
        assert site.loop().inEventLoop();
        retired = true;
        List.copyOf(connections).forEach(Http2Connection::goAway);
        if (connections.isEmpty()) {
            emptied.accept(this);
        }
    }

    @Override
    public void closeIdle() {
        for (Http2Connection connection : List.copyOf(connections)) {
            if (connection.streams() == 0) {
                connection.channel().close();
            }
        }
    }
}
