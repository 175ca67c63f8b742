package dev.llmgateway.accesslog;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A bounded queue drained by one daemon thread that encodes and writes each item. Producers (event loops) only
 * {@link #offer}: when the queue is full the item is dropped and counted, so a slow or stalled sink can never hold
 * up a request. Output is buffered and flushed whenever the queue runs empty.
 *
 * @param <T> the item type; immutable, since it crosses threads
 */
final class AsyncWriter<T> {
    /** Turns one item into bytes on {@code out}; runs on the writer thread only. */
    interface Encoder<T> {
        void write(T item, OutputStream out) throws IOException;
    }

    private static final int BATCH = 256;
    private static final long IDLE_POLL_MILLIS = 100;

    private final BlockingQueue<T> queue;
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final OutputStream sink;
    private final boolean closeSink;
    private final OutputStream out;
    private final Encoder<T> encoder;
    private final Duration closeWait;
    private final Thread thread;

    /**
     * @param closeSink whether {@link #close} closes {@code sink} (a file) or only flushes it (stdout, stderr)
     * @param closeWait how long {@link #close} waits for the queue to drain before giving up on a stalled sink
     */
    AsyncWriter(String threadName, int capacity, OutputStream sink, boolean closeSink, Encoder<T> encoder,
                Duration closeWait) {
        if (capacity < 1) {
            throw new IllegalArgumentException("queue capacity must be >= 1, got " + capacity);
        }
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.sink = sink;
        this.closeSink = closeSink;
        this.out = new BufferedOutputStream(sink, 64 * 1024);
        this.encoder = encoder;
        this.closeWait = closeWait;
        this.thread = new Thread(this::run, threadName);
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Enqueues {@code item}, or drops and counts it when the queue is full or the writer closed. Never waits: the
     * queue's lock is held only to insert, and the writer holds it only to move items out, never while writing.
     */
    void offer(T item) {
        if (closed.get() || !queue.offer(item)) {
            dropped.incrementAndGet();
        }
    }

    long dropped() {
        return dropped.get();
    }

    /** Stops taking items, lets the writer drain what is queued for at most the close wait, then returns. */
    void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            thread.join(closeWait.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            // The sink is stalled; the thread is a daemon and must not hold up shutdown. What it still holds is lost.
            dropped.addAndGet(queue.size());
        }
    }

    private void run() {
        List<T> batch = new ArrayList<>(BATCH);
        boolean reported = false;
        while (true) {
            T first;
            try {
                // A timed poll rather than an interrupt ends the thread: interrupting a write to a file channel
                // would close the file under the records still queued.
                first = queue.poll(IDLE_POLL_MILLIS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                break;
            }
            if (first == null) {
                if (closed.get()) {
                    break;
                }
                continue;
            }
            batch.add(first);
            queue.drainTo(batch, BATCH - 1);
            reported = writeBatch(batch, reported);
        }
        try {
            out.flush();
            if (closeSink) {
                sink.close();
            }
        } catch (IOException e) {
            report(e, reported);
        }
    }

    /** Writes and clears {@code batch}; returns whether an I/O error has been reported (once is enough). */
    private boolean writeBatch(List<T> batch, boolean reported) {
        try {
            for (T item : batch) {
                encoder.write(item, out);
            }
            if (queue.isEmpty()) {
                out.flush();
            }
        } catch (IOException | RuntimeException e) {
            // A full disk or closed pipe must not kill the writer: the batch is lost and counted, later ones retried.
            dropped.addAndGet(batch.size());
            reported = report(e, reported);
        }
        batch.clear();
        return reported;
    }

    private boolean report(Exception e, boolean reported) {
        if (!reported) {
            System.err.println(thread.getName() + ": write failed, dropping records: " + e);
        }
        return true;
    }
}
