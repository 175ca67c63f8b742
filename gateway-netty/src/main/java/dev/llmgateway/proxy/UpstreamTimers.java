package dev.llmgateway.proxy;

import dev.llmgateway.config.UpstreamPolicy;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.TimeUnit;

/**
 * The timeouts of one exchange, on its event loop's scheduler: first byte (request written → response head), idle
 * (longest silence between reads of the body or stream) and total (whole exchange; off unless configured).
 * First byte and idle share one scheduled check per attempt, armed when the request is written and cancelled when
 * the attempt ends: the head switches the check from the first-byte deadline to the idle one, and a read only
 * notes its time. When the check fires early for the deadline now in force (a read came since, or the head), it
 * sleeps again for what is left, like Netty's IdleStateHandler — so a request costs one schedule and one cancel,
 * and a busy stream one field write per read. While the client is not writable the proxy stops reading the
 * upstream on purpose; that silence is not the provider's fault, so the idle clock restarts when reading resumes.
 * Attempt times are read from the loop's ticker, the clock its scheduler runs on.
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
    private final Runnable check = this::check;
    /** The attempt's check: {@link Kind#FIRST_BYTE} until the head, then {@link Kind#IDLE}; null between attempts. */
    private ScheduledFuture<?> attempt;
    private Kind waitingFor;
    /** When the attempt's check is due. */
    private long checkAtNanos;
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
    }

    /** The exchange started: the total clock runs until {@link #cancelAll}. */
    void exchangeStarted(long receivedNanos) {
        if (totalNanos > 0 && total == null) {
            long left = Math.max(0, receivedNanos + totalNanos - System.nanoTime());
            total = loop.schedule(() -> fire(Kind.TOTAL), left, TimeUnit.NANOSECONDS);
        }
    }

    void requestWritten() {
        cancel(attempt);
        waitingFor = Kind.FIRST_BYTE;
        sinceNanos = loop.ticker().nanoTime();
        paused = false;
        scheduleCheck(firstByteNanos);
    }

    void headReceived() {
        waitingFor = Kind.IDLE;
        sinceNanos = loop.ticker().nanoTime();
        if (sinceNanos + idleNanos < checkAtNanos) {
            cancel(attempt); // an idle timeout shorter than what was left of the first-byte one
            scheduleCheck(idleNanos);
        }
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
        cancel(attempt);
        attempt = null;
    }

    void cancelAll() {
        attemptEnded();
        cancel(total);
        total = null;
    }

    private void check() {
        long limit = waitingFor == Kind.FIRST_BYTE ? firstByteNanos : idleNanos;
        long waited = loop.ticker().nanoTime() - sinceNanos;
        if (paused || waited < limit) {
            scheduleCheck(paused ? limit : limit - waited);
            return;
        }
        fire(waitingFor);
    }

    private void scheduleCheck(long inNanos) {
        checkAtNanos = loop.ticker().nanoTime() + inNanos;
        attempt = loop.schedule(check, inNanos, TimeUnit.NANOSECONDS);
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
