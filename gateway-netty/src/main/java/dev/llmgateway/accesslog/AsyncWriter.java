package dev.llmgateway.accesslog;

import io.netty.util.internal.PlatformDependent;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * One daemon thread that writes, in order, what producers (event loops) hand it through a lock-free queue.
 * Producers never wait and never wake the thread per item: it parks for at most {@link #PARK_MILLIS} between
 * drains, and is woken early only when what it holds crosses half its capacity. What it holds is bounded in
 * lines: an item that would take it past the capacity is dropped and counted, so a slow or stalled sink costs log
 * lines, never request latency. Output is buffered and flushed each time the queue runs empty: one write call for
 * everything drained.
 *
 * @param <T> the item type; it crosses threads, so the producer must not touch it once offered
 */
final class AsyncWriter<T> {
    /** Turns one item into bytes on {@code out}; runs on the writer thread only. */
    interface Encoder<T> {
        void write(T item, OutputStream out) throws IOException;

        /** The lines {@code item} holds, counted against the capacity: a batch of lines holds many. */
        default int lines(T item) {
            return 1;
        }
    }

    /** The longest an item waits in the queue: the writer's park between drains. */
    static final long PARK_MILLIS = 50;

    private final Queue<T> queue = PlatformDependent.newMpscQueue();
    /** Lines offered and not yet flushed to the sink (nor dropped by a failed write). */
    private final AtomicLong held = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final int capacity;
    private final OutputStream sink;
    private final boolean closeSink;
    private final OutputStream out;
    private final Encoder<T> encoder;
    private final Duration closeWait;
    private final Thread thread;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Writer thread only: lines in {@link #out} since its last flush. */
    private long unflushedLines;
    private boolean reported;

    /**
     * @param capacity  lines held while the writer catches up
     * @param closeSink whether {@link #close} closes {@code sink} (a file) or only flushes it (stdout, stderr)
     * @param closeWait how long {@link #close} waits for the queue to drain before giving up on a stalled sink
     */
    AsyncWriter(String threadName, int capacity, OutputStream sink, boolean closeSink, Encoder<T> encoder,
                Duration closeWait) {
        if (capacity < 1) {
            throw new IllegalArgumentException("queue capacity must be >= 1, got " + capacity);
        }
        this.capacity = capacity;
        this.sink = sink;
        this.closeSink = closeSink;
        this.out = new BufferedOutputStream(sink, 64 * 1024);
        this.encoder = encoder;
        this.closeWait = closeWait;
        this.thread = new Thread(this::run, threadName);
        thread.setDaemon(true);
        thread.start();
    }

    /** Lines that can still be offered before the writer is full; negative when another producer overshot. */
    long room() {
        return capacity - held.get();
    }

    /**
     * Queues {@code item}, or drops and counts its lines when the writer is closed or they do not fit. Never
     * waits: a compare-and-set on the held count and a lock-free enqueue.
     */
    void offer(T item) {
        int lines = encoder.lines(item);
        long before;
        do {
            before = held.get();
            if (closed.get() || before + lines > capacity) {
                drop(lines);
                return;
            }
        } while (!held.compareAndSet(before, before + lines));
        queue.offer(item);
        int half = capacity / 2;
        if (before < half && before + lines >= half) {
            // Half full: waiting out the park could overflow the queue. Only on the crossing, not per item.
            LockSupport.unpark(thread);
        }
    }

    /** Counts lines dropped before they reached {@link #offer}. */
    void drop(long lines) {
        dropped.addAndGet(lines);
    }

    long dropped() {
        return dropped.get();
    }

    /** Stops taking items, lets the writer drain what is queued for at most the close wait, then returns. */
    void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        LockSupport.unpark(thread);
        try {
            thread.join(closeWait.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // Left over: what a stalled sink still holds (the thread is a daemon and must not hold up shutdown), or an
        // item offered in the instant the writer saw the queue empty and stopped.
        dropped.addAndGet(held.get());
    }

    private void run() {
        while (true) {
            T item = queue.poll();
            if (item != null) {
                write(item);
                if (unflushedLines >= capacity / 2) {
                    // A queue that never runs empty must still free room: held lines are counted until flushed.
                    flush();
                }
                continue;
            }
            if (unflushedLines > 0) {
                flush();
            }
            if (closed.get() && queue.isEmpty()) {
                break;
            }
            // Parked rather than interrupted or signalled: an interrupt during a write to a file channel would
            // close the file, and a signal per item is the cost this writer exists to avoid.
            LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(PARK_MILLIS));
        }
        try {
            if (closeSink) {
                sink.close();
            }
        } catch (IOException e) {
            report(e);
        }
    }

    private void write(T item) {
        int lines = encoder.lines(item);
        try {
            encoder.write(item, out);
            unflushedLines += lines;
        } catch (IOException | RuntimeException e) {
            // A full disk or closed pipe must not kill the writer: this item is lost and counted, later ones tried.
            drop(lines);
            held.addAndGet(-lines);
            report(e);
        }
    }

    /** Lines count as held until flushed, so a sink stalled inside a flush holds no more than the capacity. */
    private void flush() {
        try {
            out.flush();
        } catch (IOException e) {
            drop(unflushedLines);
            report(e);
        }
        held.addAndGet(-unflushedLines);
        unflushedLines = 0;
    }

    private void report(Exception e) {
        if (!reported) {
            reported = true;
            System.err.println(thread.getName() + ": write failed, dropping lines: " + e);
        }
    }
}
