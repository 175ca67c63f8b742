package dev.llmgateway.accesslog;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.SingleThreadEventExecutor;
import io.netty.util.internal.PlatformDependent;
import io.netty.util.internal.ThreadExecutorMap;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.TimeUnit;

/**
 * One line per finished request. Each event loop formats its lines into a batch of its own ({@link LineBatch}) and
 * hands the batch to the writer thread when it passes {@link #HANDOFF_BYTES}, or {@link #FLUSH_DELAY_MILLIS} after
 * its first line, or when the loop shuts down; the writer writes each batch with one call. So per request the
 * loop formats into bytes it already has: no object, no lock, no wake-up, no system call. When the writer holds
 * its capacity in lines (a stalled sink), further lines are dropped and counted.
 */
public final class AccessLog implements AutoCloseable {
    public enum Format {
        JSON, CONSOLE;

        /** Appends {@code record}'s line to {@code out}: an event loop's work per request (public for benchmarks). */
        public void write(ExchangeRecord record, LineBatch out) {
            if (this == JSON) {
                RecordEncoders.writeJson(record, out);
            } else {
                RecordEncoders.writeConsole(record, out);
            }
        }
    }

    static final Duration DEFAULT_CLOSE_WAIT = Duration.ofSeconds(5);
    /** The longest a line waits in its loop's batch; the writer's park adds at most {@link AsyncWriter#PARK_MILLIS}. */
    static final long FLUSH_DELAY_MILLIS = 50;
    /** A loop's batch is handed over once this full, leaving half its array for the next line, however long. */
    static final int HANDOFF_BYTES = 32 * 1024;
    private static final int BATCH_BYTES = 2 * HANDOFF_BYTES;
    /** Written batches kept for reuse: enough for every loop's open batch and a few in the queue. */
    private static final int SPARE_BATCHES = 16;
    /** A caller that is no event loop hands over each line at once, in a batch of about this size. */
    private static final int LINE_BYTES = 512;

    private final Format format;
    private final AsyncWriter<LineBatch> writer;
    private final Queue<LineBatch> spares = PlatformDependent.newFixedMpmcQueue(SPARE_BATCHES);
    private final FastThreadLocal<LoopLines> loops = new FastThreadLocal<>() {
        @Override
        protected LoopLines initialValue() {
            return new LoopLines(ThreadExecutorMap.currentExecutor());
        }
    };

    AccessLog(OutputStream sink, boolean closeSink, Format format, int queueCapacity, Duration closeWait) {
        this.format = format;
        this.writer = new AsyncWriter<>("access-log-writer", queueCapacity, sink, closeSink,
                new AsyncWriter.Encoder<>() {
                    @Override
                    public void write(LineBatch batch, OutputStream out) throws IOException {
                        out.write(batch.array(), 0, batch.length());
                        recycle(batch);
                    }

                    @Override
                    public int lines(LineBatch batch) {
                        return batch.lines();
                    }
                }, closeWait);
    }

    /**
     * @param sink          {@code stdout}, {@code stderr}, or a file path (created if missing, appended to)
     * @param queueCapacity lines held while the writer catches up; beyond it {@link #log} drops
     */
    public static AccessLog open(String sink, Format format, int queueCapacity) throws IOException {
        return switch (sink) {
            case "stdout" -> new AccessLog(System.out, false, format, queueCapacity, DEFAULT_CLOSE_WAIT);
            case "stderr" -> new AccessLog(System.err, false, format, queueCapacity, DEFAULT_CLOSE_WAIT);
            default -> new AccessLog(openAppend(Path.of(sink)), true, format, queueCapacity, DEFAULT_CLOSE_WAIT);
        };
    }

    /** Opened on the caller's thread (startup, not an event loop) so a bad path fails fast. */
    static OutputStream openAppend(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        // FileOutputStream rather than a FileChannel stream: a channel closes itself if its thread is interrupted.
        return new FileOutputStream(file.toFile(), true);
    }

    /** Formats the record's line on the caller's thread; never blocks. The record is not kept. */
    public void log(ExchangeRecord record) {
        loops.get().append(record);
    }

    /** Lines dropped because the writer was full (or the log already closed, or the sink failed). */
    public long dropped() {
        return writer.dropped();
    }

    /**
     * Writes what is queued, waiting at most a bounded time for a slow sink, and stops the writer thread. Lines
     * still in an event loop's batch are handed over when that loop shuts down, so close after the loops.
     */
    @Override
    public void close() {
        writer.close();
    }

    private LineBatch take() {
        LineBatch spare = spares.poll();
        return spare != null ? spare : new LineBatch(BATCH_BYTES);
    }

    /** Writer thread: a written batch of the usual size goes back for reuse; a grown one is left to the GC. */
    private void recycle(LineBatch batch) {
        if (batch.capacity() == BATCH_BYTES) {
            batch.clear();
            spares.offer(batch);
        }
    }

    /** The lines of one thread not yet handed over; touched only by that thread. */
    private final class LoopLines implements Runnable {
        /** Null when the thread is no event loop (a test, a tool): then each line is handed over at once. */
        private final EventExecutor loop;
        private LineBatch open;
        private boolean flushScheduled;

        LoopLines(EventExecutor current) {
            if (current instanceof SingleThreadEventExecutor loop && loop.inEventLoop()) {
                this.loop = loop;
                // Scheduled tasks are cancelled when a loop shuts down: its last lines go over here instead.
                loop.addShutdownHook(this::handOff);
            } else {
                this.loop = null;
            }
        }

        void append(ExchangeRecord record) {
            int pending = open == null ? 0 : open.lines();
            if (pending >= writer.room()) {
                writer.drop(1);
                return;
            }
            if (open == null) {
                open = loop == null ? new LineBatch(LINE_BYTES) : take();
            }
            format.write(record, open);
            // Half the writer's room in one batch: hand it over now, so small capacities fill no faster than the
            // writer drains them (the offer wakes it when it is half full).
            if (loop == null || open.length() >= HANDOFF_BYTES || open.lines() >= writer.room() / 2) {
                handOff();
            } else if (!flushScheduled) {
                flushScheduled = true;
                loop.schedule(this, FLUSH_DELAY_MILLIS, TimeUnit.MILLISECONDS);
            }
        }

        /** The flush delay is up. */
        @Override
        public void run() {
            flushScheduled = false;
            handOff();
        }

        private void handOff() {
            if (open != null) {
                writer.offer(open);
                open = null;
            }
        }
    }
}
