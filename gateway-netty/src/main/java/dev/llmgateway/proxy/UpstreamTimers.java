package dev.llmgateway.proxy;

import dev.llmgateway.config.UpstreamPolicy;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.TimeUnit;

/**
 * The timeouts of one exchange, on its event loop: first byte (request written → response head), idle (longest
 * silence between reads of the body or stream) and total (whole exchange; off unless configured).
 * First byte and idle need no task of their own: while an attempt is on, it waits in its loop's queue of attempts
 * under the same timeout ({@link AttemptDeadlines}), joined when the request is written and left when the attempt
 * ends, and the head switches it to the idle timeout's queue. A read only notes its time; when the queue finds the
 * attempt due and a read came since, it queues it again for what is left, like Netty's IdleStateHandler — so a
 * request costs two links and two unlinks, and a busy stream one field write per read. While the client is not
 * writable the proxy stops reading the upstream on purpose; that silence is not the provider's fault, so the idle
 * clock restarts when reading resumes. Attempt times are read from the loop's ticker, the clock its scheduler runs
 * on.
 */
final class UpstreamTimers extends AttemptDeadlines.Waiting {
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
    private final AttemptDeadlines firstByteQueue;
    private final AttemptDeadlines idleQueue;
    /** {@link Kind#FIRST_BYTE} until the head, then {@link Kind#IDLE}; null between attempts. */
    private Kind waitingFor;
    private ScheduledFuture<?> total;
    /** When the request was written (first byte) or the last read came (idle). */
    private long sinceNanos;
    private boolean paused;

    UpstreamTimers(EventLoop loop, UpstreamPolicy policy, Expired expired) {
        this.loop = loop;
        this.firstByteNanos = policy.firstByteTimeout().toNanos();
        this.idleNanos = policy.idleTimeout().toNanos();
        this.totalNanos = policy.totalTimeout().toNanos();
        this.expired = expired;
        this.firstByteQueue = AttemptDeadlines.of(loop, firstByteNanos);
        this.idleQueue = AttemptDeadlines.of(loop, idleNanos);
    }

    /** The exchange started: the total clock runs until {@link #cancelAll}. */
    void exchangeStarted(long receivedNanos) {
        if (totalNanos > 0 && total == null) {
            long left = Math.max(0, receivedNanos + totalNanos - System.nanoTime());
            total = loop.schedule(() -> fire(Kind.TOTAL), left, TimeUnit.NANOSECONDS);
        }
    }

    void requestWritten() {
        waitingFor = Kind.FIRST_BYTE;
        sinceNanos = firstByteQueue.now();
        paused = false;
        firstByteQueue.join(this, sinceNanos);
    }

    void headReceived() {
        waitingFor = Kind.IDLE;
        sinceNanos = idleQueue.now();
        idleQueue.join(this, sinceNanos);
    }

    void read() {
        sinceNanos = loop.ticker().nanoTime();
    }

    void paused(boolean paused) {
        this.paused = paused;
        if (!paused) {
            read();
        }
    }

    /** The attempt is over (retried or answered); the total clock keeps running. */
    void attemptEnded() {
        leave();
        waitingFor = null;
    }

    void cancelAll() {
        attemptEnded();
        if (total != null) {
            total.cancel(false);
            total = null;
        }
    }

    @Override
    long deadline(long now) {
        long limit = waitingFor == Kind.FIRST_BYTE ? firstByteNanos : idleNanos;
        return paused ? now + limit : sinceNanos + limit;
    }

    @Override
    void expired() {
        fire(waitingFor);
    }

    private void fire(Kind kind) {
        attemptEnded();
        if (kind == Kind.TOTAL) {
            total = null;
        }
        expired.timedOut(kind);
    }
}
