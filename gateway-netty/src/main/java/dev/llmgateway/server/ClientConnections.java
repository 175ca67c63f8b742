package dev.llmgateway.server;

import io.netty.channel.Channel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The open client connections of the main listener: admits each new one under {@code max_connections}, and
 * drains them all on shutdown. Shared by every event loop, hence the concurrent group and counter; the draining
 * flag and the cap are volatile because event loops read them while the shutdown or reload thread sets them.
 */
public final class ClientConnections {
    /** After drain_timeout, how long the error events and 503s get to reach their clients before a hard close. */
    private static final long DEADLINE_GRACE_MILLIS = 1000;

    private final ChannelGroup channels = new DefaultChannelGroup("clients", GlobalEventExecutor.INSTANCE);
    private final AtomicInteger open = new AtomicInteger();
    /** Set by a config reload; applies to connections accepted after it. */
    private volatile int max;
    private final Runnable rejected;
    private volatile boolean draining;
    /** False while the startup warm-up runs (set by the server before it listens, so no probe sees a gap). */
    private volatile boolean warm = true;

    /** @param rejected told of each connection refused over the cap (a metric) */
    public ClientConnections(int max, Runnable rejected) {
        this.max = max;
        this.rejected = rejected;
    }

    /**
     * Called once per accepted connection, on its event loop, before its handlers exist. A connection over the
     * cap, or one accepted while draining, is closed at once: false.
     */
    boolean admit(Channel channel) {
        if (draining) {
            channel.close();
            return false;
        }
        if (open.incrementAndGet() > max) {
            open.decrementAndGet();
            rejected.run();
            channel.close();
            return false;
        }
        channel.closeFuture().addListener(closed -> open.decrementAndGet());
        channels.add(channel);
        return true;
    }

    void maxConnections(int max) {
        this.max = max;
    }

    /** False while warming up and once draining: load balancers send requests here only in between. */
    public boolean ready() {
        return warm && !draining;
    }

    void warm(boolean warm) {
        this.warm = warm;
    }

    /** Turns {@code /ready} to 503 and tells every connection: idle ones close, busy ones after their response. */
    void startDrain() {
        draining = true;
        channels.forEach(channel -> channel.pipeline().fireUserEventTriggered(DrainHandler.Event.STARTED));
    }

    /**
     * Waits up to {@code timeout} for every connection to finish and close; then ends what still runs (an SSE
     * error event, or 503 when nothing was sent yet) and closes the rest. Blocks: runs on the shutdown thread.
     *
     * @return true when everything finished within the timeout
     */
    boolean awaitDrained(Duration timeout) throws InterruptedException {
        if (channels.newCloseFuture().await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            return true;
        }
        channels.forEach(channel -> channel.pipeline().fireUserEventTriggered(DrainHandler.Event.DEADLINE));
        if (!channels.newCloseFuture().await(DEADLINE_GRACE_MILLIS, TimeUnit.MILLISECONDS)) {
            closeAll(Duration.ofMillis(DEADLINE_GRACE_MILLIS));
        }
        return false;
    }

    /**
     * Closes every connection still open and waits up to {@code timeout} for the closes: each connection's close
     * cancels what it still runs (the proxy's cancel: upstream stream reset or connection closed, buffers released,
     * the exchange recorded as cancelled). Blocks: runs on the shutdown thread, while the loops still run.
     *
     * @return true when every connection closed within the timeout
     */
    boolean closeAll(Duration timeout) {
        channels.forEach(channel -> channel.pipeline().fireUserEventTriggered(DrainHandler.Event.STOP));
        return channels.close().awaitUninterruptibly(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Open client connections right now. */
    public int size() {
        return open.get();
    }
}
