package dev.llmgateway.tracing;

import io.netty.util.internal.PlatformDependent;

import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Queue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * The batch export: ended spans go into a bounded lock-free queue (an event loop's offer never waits: when the
 * queue is full the span is dropped and counted), and one daemon thread takes them in batches of up to
 * {@link #BATCH} spans — as soon as a batch is full, else at least every export delay — encodes each batch as OTLP
 * protobuf into its one buffer and posts it. A producer wakes the thread only when it finds a full batch waiting
 * and the thread asleep. Spans handed in here are the export's: their producer no longer touches them.
 */
final class SpanExport implements AutoCloseable {
    /** Spans per export, as the OpenTelemetry batch processor's default. */
    static final int BATCH = 512;
    /** The longest a shutdown waits for the last export. */
    private static final long CLOSE_WAIT_MILLIS = 5_000;

    private final Queue<SpanRecord> queue;
    private final OtlpEncoder encoder;
    /** Null for the warm-up: batches are encoded (the JIT learns that path too) and go nowhere. */
    private final BlockingHttpSender sender;
    private final long delayNanos;
    private final int batchSize;
    private final Thread thread;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Whether the export thread is parked waiting for a batch to fill (or its delay to pass). */
    private volatile boolean waiting;
    private final LongAdder dropped = new LongAdder();
    private final AtomicLong failed = new AtomicLong();
    /** Export thread only: whether the last export failed, so that a run of failures is reported once. */
    private boolean failing;

    SpanExport(int capacity, Duration delay, OtlpEncoder encoder, BlockingHttpSender sender, String threadName) {
        this.queue = PlatformDependent.newFixedMpscQueue(capacity);
        this.batchSize = Math.min(BATCH, capacity);
        this.delayNanos = delay.toNanos();
        this.encoder = encoder;
        this.sender = sender;
        this.thread = new Thread(this::run, threadName);
        thread.setDaemon(true);
        thread.start();
    }

    /** Queues an ended span, or drops and counts it when the queue is full or the export closed. Never waits. */
    void offer(SpanRecord span) {
        if (closed.get() || !queue.offer(span)) {
            dropped.increment();
            return;
        }
        if (waiting && queue.size() >= batchSize) {
            waiting = false;
            LockSupport.unpark(thread);
        }
    }

    long dropped() {
        return dropped.sum();
    }

    long failed() {
        return failed.get();
    }

    /** Stops taking spans, exports what is queued (waiting at most 5 s), and stops the thread. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        LockSupport.unpark(thread);
        try {
            thread.join(CLOSE_WAIT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // Left over: what a stalled collector kept the thread from sending, or a span offered in the instant the
        // thread saw the queue empty and stopped.
        dropped.add(queue.size());
        if (sender != null) {
            sender.close();
        }
    }

    private void run() {
        SpanRecord[] batch = new SpanRecord[batchSize];
        long due = System.nanoTime() + delayNanos;
        while (true) {
            boolean closing = closed.get();
            long now = System.nanoTime();
            if (queue.size() >= batchSize || now - due >= 0 || closing) {
                int count = 0;
                for (SpanRecord span; count < batchSize && (span = queue.poll()) != null; ) {
                    batch[count++] = span;
                }
                if (count > 0) {
                    export(batch, count);
                    Arrays.fill(batch, 0, count, null);
                }
                due = System.nanoTime() + delayNanos;
                if (closing && queue.isEmpty()) {
                    return;
                }
                continue;
            }
            waiting = true;
            if (queue.size() < batchSize && !closed.get()) {
                LockSupport.parkNanos(this, due - now);
            }
            waiting = false;
        }
    }

    private void export(SpanRecord[] batch, int count) {
        ProtoWriter request;
        try {
            request = encoder.encode(batch, count);
        } catch (RuntimeException e) {
            failed(count, e.toString());
            return;
        }
        if (sender == null) {
            return;
        }
        try {
            int status = sender.send(request.array(), request.length());
            if (status / 100 == 2) {
                failing = false;
            } else {
                failed(count, "the collector answered " + status);
            }
        } catch (IOException e) {
            failed(count, e.toString());
        } catch (InterruptedException e) {
            // Nothing interrupts this thread; were it done, the batch is lost and the next one tried.
            failed(count, e.toString());
        }
    }

    private void failed(int count, String why) {
        failed.addAndGet(count);
        if (!failing) {
            failing = true;
            System.err.println(thread.getName() + ": span export failed, " + count + " spans lost: " + why);
        }
    }
}
