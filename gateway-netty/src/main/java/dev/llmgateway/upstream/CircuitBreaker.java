package dev.llmgateway.upstream;

import dev.llmgateway.config.BreakerPolicy;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A provider's circuit ({@link BreakerPolicy}): closed until enough attempts fail, then open for the cooldown, then
 * half-open, letting one probe attempt through at a time: its success closes the circuit, its failure opens it
 * again. Shared by every event loop, so lock-free: the state, the open time and the probe slot are atomics, and the
 * window is {@link #BUCKETS} buckets, each one packed long (epoch, failures, total) reset by whoever first writes
 * into a new epoch. Races cost at most a count or two at a bucket's turn, which a health estimate can spare.
 */
public final class CircuitBreaker {
    public enum State { CLOSED, HALF_OPEN, OPEN }

    /** What {@link #tryAcquire} let through: a probe's verdict decides the circuit; a late ordinary one cannot. */
    public enum Admission { REFUSED, ADMITTED, PROBE }

    private static final int BUCKETS = 10;
    private static final long COUNT_MASK = (1L << 20) - 1;

    private final BreakerPolicy settings;
    private final long bucketNanos;
    private final long cooldownNanos;
    private final AtomicInteger state = new AtomicInteger(State.CLOSED.ordinal());
    private final AtomicLong openedAtNanos = new AtomicLong();
    private final AtomicInteger consecutiveFailures = new AtomicInteger();
    private final AtomicBoolean probing = new AtomicBoolean();
    private final AtomicLongArray buckets = new AtomicLongArray(BUCKETS);

    public CircuitBreaker(BreakerPolicy settings) {
        this.settings = settings;
        this.bucketNanos = Math.max(1, settings.window().toNanos() / BUCKETS);
        this.cooldownNanos = settings.cooldown().toNanos();
    }

    /** The state as {@code /ready} and the gauge show it: open turns half-open once the cooldown has passed. */
    public State state(long nowNanos) {
        State current = State.values()[state.get()];
        return current == State.OPEN && nowNanos - openedAtNanos.get() >= cooldownNanos ? State.HALF_OPEN : current;
    }

    /** Whether a request could go now, without taking the probe slot: what a balancer skips by. */
    public boolean available(long nowNanos) {
        State current = state(nowNanos);
        return current == State.CLOSED || current == State.HALF_OPEN && !probing.get();
    }

    /**
     * Admits one attempt, or refuses it while open (or while another probe is out). An admitted attempt must end in
     * exactly one {@link #record} or {@link #abandon}: a half-open probe holds the slot until then.
     */
    public Admission tryAcquire(long nowNanos) {
        int current = state.get();
        if (current == State.CLOSED.ordinal()) {
            return Admission.ADMITTED;
        }
        if (current == State.OPEN.ordinal()) {
            if (nowNanos - openedAtNanos.get() < cooldownNanos) {
                return Admission.REFUSED;
            }
            state.compareAndSet(State.OPEN.ordinal(), State.HALF_OPEN.ordinal());
        }
        return probing.compareAndSet(false, true) ? Admission.PROBE : Admission.REFUSED;
    }

    /** The admitted attempt's outcome: a provider failure (unreachable, cut or silent before the head, 5xx) or not. */
    public void record(Admission admission, boolean success, long nowNanos) {
        if (admission == Admission.PROBE) {
            if (success) {
                consecutiveFailures.set(0);
                for (int i = 0; i < BUCKETS; i++) {
                    buckets.set(i, 0); // a closed circuit starts a fresh window, not the one that opened it
                }
                state.set(State.CLOSED.ordinal());
            } else {
                open(nowNanos);
            }
            probing.set(false);
            return;
        }
        if (state.get() != State.CLOSED.ordinal()) {
            return; // admitted before the circuit opened: only the probe decides now
        }
        long counts = count(success, nowNanos);
        int failuresInRow = success ? resetConsecutive() : consecutiveFailures.incrementAndGet();
        if (!success && (failuresInRow >= settings.failures() || ratioExceeded(counts))) {
            open(nowNanos);
        }
    }

    /** The admitted attempt ended without a verdict (the client left, a stale pooled connection): frees the probe. */
    public void abandon(Admission admission) {
        if (admission == Admission.PROBE) {
            probing.set(false);
        }
    }

    private int resetConsecutive() {
        consecutiveFailures.set(0);
        return 0;
    }

    private void open(long nowNanos) {
        openedAtNanos.set(nowNanos);
        state.set(State.OPEN.ordinal());
        consecutiveFailures.set(0);
    }

    /** Counts the attempt in its bucket; returns {failures, total} over the window, packed like a bucket. */
    private long count(boolean success, long nowNanos) {
        long epoch = Math.floorDiv(nowNanos, bucketNanos);
        int index = (int) Math.floorMod(epoch, BUCKETS);
        long tag = epoch & COUNT_MASK;
        buckets.getAndUpdate(index, packed -> {
            long base = (packed >>> 40) == tag ? packed : tag << 40;
            return base + (success ? 0 : 1L << 20) + 1;
        });
        long failures = 0;
        long total = 0;
        for (int i = 0; i < BUCKETS; i++) {
            long packed = buckets.get(i);
            long age = (tag - (packed >>> 40)) & COUNT_MASK;
            if (age < BUCKETS) {
                failures += (packed >>> 20) & COUNT_MASK;
                total += packed & COUNT_MASK;
            }
        }
        return failures << 20 | total;
    }

    private boolean ratioExceeded(long counts) {
        long total = counts & COUNT_MASK;
        long failures = counts >>> 20;
        return total >= settings.minRequests() && failures >= settings.errorRatio() * total;
    }
}
