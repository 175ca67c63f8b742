package dev.llmgateway.upstream;

import dev.llmgateway.testutil.Exchanges;
import dev.llmgateway.testutil.GatewayHarness;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.resolver.AddressResolver;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.NoopAddressResolver;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ConnectionPool} without sockets: its bootstrap makes EmbeddedChannels on one EmbeddedChannel's event loop
 * (connected at once, or held or refused by the test), so the whole connection life runs on the test thread and
 * the acquire timeout on a clock the test moves.
 */
class ConnectionPoolTest {
    /** The pool's event loop; advancing this channel's clock advances the pool's timers. */
    private final EmbeddedChannel loopChannel = new EmbeddedChannel();
    private final EventLoop loop = loopChannel.eventLoop();
    private final List<EmbeddedChannel> connections = new ArrayList<>();
    private final List<ChannelPromise> heldConnects = new ArrayList<>();
    private final List<ConnectionPool> emptied = new ArrayList<>();
    private boolean holdConnects;
    private boolean refuseConnects;

    @AfterEach
    void close() {
        connections.forEach(EmbeddedChannel::finishAndReleaseAll);
        loopChannel.finishAndReleaseAll();
    }

    private ConnectionPool pool(int maxConnections, String poolIdleTimeout) {
        Provider provider = Exchanges.snapshot(GatewayHarness.openAiConfig(Exchanges.UNUSED_BASE_URL, """
                connect_timeout = "2s"
                pool_idle_timeout = "%s"
                """.formatted(poolIdleTimeout))).providers().get("up");
        Bootstrap bootstrap = new Bootstrap().group(loop)
                .channelFactory((ChannelFactory<EmbeddedChannel>) () -> {
                    EmbeddedChannel channel = new EmbeddedChannel(false, false, new ConnectGate());
                    connections.add(channel);
                    return channel;
                })
                .resolver(new UnresolvedAddresses());
        loopChannel.freezeTime();
        return new ConnectionPool(new PoolSite(provider, loop, bootstrap, null, maxConnections), emptied::add);
    }

    /** No name resolution, and none of the group's per-loop bookkeeping, which an EmbeddedEventLoop refuses. */
    private static final class UnresolvedAddresses extends AddressResolverGroup<SocketAddress> {
        @Override
        public AddressResolver<SocketAddress> getResolver(EventExecutor executor) {
            return newResolver(executor);
        }

        @Override
        protected AddressResolver<SocketAddress> newResolver(EventExecutor executor) {
            return new NoopAddressResolver(executor);
        }
    }

    /** Holds or refuses each connect as the test says; lets it through otherwise. */
    private final class ConnectGate extends ChannelOutboundHandlerAdapter {
        @Override
        public void connect(ChannelHandlerContext ctx, SocketAddress remote, SocketAddress local,
                            ChannelPromise promise) {
            if (refuseConnects) {
                promise.setFailure(new ConnectException("connection refused"));
            } else if (holdConnects) {
                heldConnects.add(promise);
            } else {
                ctx.connect(remote, local, promise);
            }
        }
    }

    /** An acquire, with the loop run as far as it can go (the bootstrap connects on the loop's next turn). */
    private Future<UpstreamConnection> acquire(ConnectionPool pool) {
        Future<UpstreamConnection> acquiring = pool.acquire();
        loopChannel.runPendingTasks();
        return acquiring;
    }

    private static UpstreamConnection acquired(Future<UpstreamConnection> future) {
        assertTrue(future.isSuccess(), () -> "not acquired: " + future.cause());
        return future.getNow();
    }

    /** An exchange's use of a connection: a request sent, then the connection handed back. */
    private static void use(UpstreamConnection connection, boolean reusable) {
        connection.send(Exchanges.request(HttpMethod.POST, "/v1/chat/completions", "{}"), new RecordingListener());
        connection.finish(reusable);
    }

    @Test
    void aConnectionHandedBackReusableIsHandedOutAgain() {
        ConnectionPool pool = pool(2, "60s");
        UpstreamConnection first = acquired(acquire(pool));
        assertFalse(first.reused());
        assertEquals(1, pool.open());
        use(first, true);
        assertEquals(1, pool.idle());

        UpstreamConnection again = acquired(acquire(pool));
        assertSame(first, again);
        assertTrue(again.reused());
        assertEquals(0, pool.idle());
        assertEquals(1, pool.open());
    }

    @Test
    void aConnectionHandedBackNotReusableIsClosed() {
        ConnectionPool pool = pool(2, "60s");
        UpstreamConnection connection = acquired(acquire(pool));
        use(connection, false);
        assertFalse(connection.channel().isOpen());
        assertEquals(0, pool.open());
        assertEquals(0, pool.idle());
    }

    @Test
    void acquiresPastTheCapWaitInOrderUntilTheConnectTimeout() {
        ConnectionPool pool = pool(1, "60s");
        UpstreamConnection only = acquired(acquire(pool));
        Future<UpstreamConnection> second = acquire(pool);
        Future<UpstreamConnection> third = acquire(pool);
        assertEquals(2, pool.pendingAcquires());

        use(only, true);
        assertSame(only, acquired(second), "a released connection serves the first waiter");
        assertFalse(third.isDone());

        loopChannel.advanceTimeBy(2, TimeUnit.SECONDS);
        loopChannel.runScheduledPendingTasks();
        assertInstanceOf(TimeoutException.class, third.cause());
        assertEquals(0, pool.pendingAcquires());
    }

    @Test
    void aWaiterGetsAFreshConnectionWhenABusyOneCloses() {
        ConnectionPool pool = pool(1, "60s");
        UpstreamConnection lost = acquired(acquire(pool));
        Future<UpstreamConnection> waiting = acquire(pool);
        lost.channel().close();
        loopChannel.runPendingTasks();
        UpstreamConnection fresh = acquired(waiting);
        assertNotSame(lost, fresh);
        assertEquals(1, pool.open());
    }

    @Test
    void aRefusedConnectFailsTheAcquireAndFreesItsPlace() {
        ConnectionPool pool = pool(1, "60s");
        refuseConnects = true;
        Future<UpstreamConnection> refused = acquire(pool);
        assertInstanceOf(ConnectException.class, refused.cause());
        assertEquals(0, pool.open());
    }

    @Test
    void aConnectionWhoseRequesterGaveUpServesTheNextOne() {
        ConnectionPool pool = pool(1, "60s");
        holdConnects = true;
        Future<UpstreamConnection> abandoned = acquire(pool);
        abandoned.cancel(false);
        heldConnects.get(0).setSuccess();
        assertEquals(1, pool.idle());

        holdConnects = false;
        assertTrue(acquired(acquire(pool)).reused(), "the connection made for the abandoned acquire");
        assertEquals(1, connections.size(), "no second connect");
    }

    @Test
    void anIdleConnectionPastThePoolIdleTimeoutIsClosedNotHandedOut() throws InterruptedException {
        ConnectionPool pool = pool(2, "1ms");
        UpstreamConnection stale = acquired(acquire(pool));
        use(stale, true);
        Thread.sleep(5); // idle time is measured in real time
        UpstreamConnection fresh = acquired(acquire(pool));
        assertNotSame(stale, fresh);
        assertFalse(stale.channel().isOpen());
    }

    @Test
    void idleConnectionsAreClosedWhenTheyExpireWithoutAnyAcquire() throws InterruptedException {
        ConnectionPool pool = pool(3, "50ms");
        UpstreamConnection older = acquired(acquire(pool));
        UpstreamConnection newer = acquired(acquire(pool));
        UpstreamConnection busy = acquired(acquire(pool));
        use(older, true);
        use(newer, true);
        assertEquals(2, pool.idle());

        Thread.sleep(60); // idle time is measured in real time; the sweep runs on the loop's (test-driven) clock
        loopChannel.advanceTimeBy(60, TimeUnit.MILLISECONDS);
        loopChannel.runScheduledPendingTasks();
        loopChannel.runPendingTasks();

        assertFalse(older.channel().isOpen());
        assertFalse(newer.channel().isOpen());
        assertTrue(busy.channel().isOpen(), "a busy connection is not idle");
        assertEquals(0, pool.idle());
        assertEquals(1, pool.open());
    }

    @Test
    void theSweepClosesOnlyExpiredConnectionsAndWaitsForTheRest() throws InterruptedException {
        ConnectionPool pool = pool(2, "200ms");
        UpstreamConnection older = acquired(acquire(pool));
        UpstreamConnection newer = acquired(acquire(pool));
        use(older, true);
        Thread.sleep(220);
        use(newer, true); // older: past its 200 ms, newer: just parked

        loopChannel.advanceTimeBy(200, TimeUnit.MILLISECONDS);
        loopChannel.runScheduledPendingTasks();
        assertFalse(older.channel().isOpen());
        assertTrue(newer.channel().isOpen(), "not expired yet");
        assertEquals(1, pool.idle());

        Thread.sleep(220);
        loopChannel.advanceTimeBy(200, TimeUnit.MILLISECONDS);
        loopChannel.runScheduledPendingTasks();
        assertFalse(newer.channel().isOpen(), "the sweep was armed again for the next expiry");
        assertEquals(0, pool.idle());
    }

    @Test
    void aRetiredPoolClosesIdleConnectionsNowAndBusyOnesWhenReleasedThenReportsEmpty() {
        ConnectionPool pool = pool(2, "60s");
        UpstreamConnection idle = acquired(acquire(pool));
        UpstreamConnection busy = acquired(acquire(pool));
        use(idle, true);

        pool.retire();
        assertFalse(idle.channel().isOpen());
        assertTrue(emptied.isEmpty(), "one connection is still busy");
        use(busy, true);
        assertFalse(busy.channel().isOpen(), "never reused once retired");
        assertEquals(List.of(pool), emptied);
    }
}
