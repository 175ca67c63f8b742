package dev.llmgateway.accesslog;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * One line per finished request, written by a dedicated thread. {@link #log} only enqueues the immutable record,
 * so event loops never format, never touch the sink and never wait; a full queue drops the record and counts it.
 */
public final class AccessLog implements AutoCloseable {
    public enum Format { JSON, CONSOLE }

    static final Duration DEFAULT_CLOSE_WAIT = Duration.ofSeconds(5);

    private final AsyncWriter<ExchangeRecord> writer;

    AccessLog(OutputStream sink, boolean closeSink, Format format, int queueCapacity, Duration closeWait) {
        this.writer = new AsyncWriter<>("access-log-writer", queueCapacity, sink, closeSink,
                RecordEncoders.of(format), closeWait);
    }

    /**
     * @param sink          {@code stdout}, {@code stderr}, or a file path (created if missing, appended to)
     * @param queueCapacity records held while the writer catches up; beyond it {@link #log} drops
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

    /** Enqueues the record; never blocks and never formats on the caller's thread. */
    public void log(ExchangeRecord record) {
        writer.offer(record);
    }

    /** Records dropped because the queue was full (or the log already closed, or the sink failed). */
    public long dropped() {
        return writer.dropped();
    }

    /** Drains what is queued, waiting at most a bounded time for a slow sink, and stops the writer thread. */
    @Override
    public void close() {
        writer.close();
    }
}
