package dev.llmgateway.proxy;

import dev.llmgateway.config.UpstreamPolicy;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.TimeUnit;

/**
 * The timeouts of one exchange, on its event loop's scheduler: first byte (request written → response head), idle
 * (longest silence between reads of the body or stream) and total (whole exchange; off unless configured).
 * The idle timer is not re-armed on every read: it fires at the last read plus the timeout and, if a read came
 * since, sleeps again for what is left (like Netty's IdleStateHandler), so a busy stream costs one field write per
 * read. While the client is not writable the proxy stops reading the upstream on purpose; that silence is not the
 * provider's fault, so the idle clock restarts when reading resumes.
 */
final class UpstreamTimers {
    enum Kind {
        FIRST_BYTE("first_byte_timeout"), IDLE("idle_timeout"), TOTAL("total_timeout");

        final String label;

        Kind(String label) {
            this.label = label;
        }
    }

    interface Expired {
        void timedOut(Kind kind);
    }

    private final EventLoop loop;
    private final long firstByteNanos;
    private final long idleNanos;
    private final long totalNanos;
    private final Expired expired;
    private ScheduledFuture<?> firstByte;
    private ScheduledFuture<?> idle;
    private ScheduledFuture<?> total;
    private long lastReadNanos;
    private boolean paused;

    UpstreamTimers(EventLoop loop, UpstreamPolicy policy, Expired expired) {
        this.loop = loop;
        this.firstByteNanos = policy.firstByteTimeout().toNanos();
        this.idleNanos = policy.idleTimeout().toNanos();
        this.totalNanos = policy.totalTimeout().toNanos();
        this.expired = expired;
    }

    /** The exchange started: the total clock runs until {@link #cancelAll}. */
    void exchangeStarted(long receivedNanos) {
        if (totalNanos > 0) {
            long left = Math.max(0, receivedNanos + totalNanos - System.nanoTime());
            total = loop.schedule(() -> fire(Kind.TOTAL), left, TimeUnit.NANOSECONDS);
        }
    }

    void requestWritten() {
        cancel(firstByte);
        firstByte = loop.schedule(() -> fire(Kind.FIRST_BYTE), firstByteNanos, TimeUnit.NANOSECONDS);
    }

    void headReceived() {
        cancel(firstByte);
        firstByte = null;
        read();
        idle = loop.schedule(this::checkIdle, idleNanos, TimeUnit.NANOSECONDS);
    }

    void read() {
        lastReadNanos = System.nanoTime();
    }

    void paused(boolean paused) {
        this.paused = paused;
        if (!paused) {
            read();
        }
    }

    /** The attempt is over (retried or answered); the total clock keeps running. */
    void attemptEnded() {
        cancel(firstByte);
        cancel(idle);
        firstByte = null;
        idle = null;
    }

    void cancelAll() {
        attemptEnded();
        cancel(total);
        total = null;
    }

    private void checkIdle() {
        long silent = System.nanoTime() - lastReadNanos;
        if (paused || silent < idleNanos) {
            idle = loop.schedule(this::checkIdle, paused ? idleNanos : idleNanos - silent, TimeUnit.NANOSECONDS);
            return;
        }
        fire(Kind.IDLE);
    }

    private void fire(Kind kind) {
        attemptEnded();
        if (kind == Kind.TOTAL) {
            total = null;
        }
        expired.timedOut(kind);
    }

    private static void cancel(ScheduledFuture<?> timer) {
        if (timer != null) {
            timer.cancel(false);
        }
    }
}
