package dev.llmgateway.accesslog;

import com.fasterxml.jackson.core.JsonGenerator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;

/**
 * Optional debugging capture of request and response bodies, one JSON line per entry, secrets redacted: the
 * config's own by their values ({@link #secrets}), and credential-like patterns ({@link Redactor}). Off by default
 * ({@link #disabled()}), so call sites need no null checks.
 *
 * <p>The caller's thread only copies at most {@code maxBytesPerEntry} bytes (the buffer is not ours to keep, and
 * it is neither retained nor released here); decoding, redaction and writing happen on the writer thread.
 */
public final class BodyCapture implements AutoCloseable {
    static final int DEFAULT_QUEUE_CAPACITY = 1024;
    private static final BodyCapture DISABLED = new BodyCapture();

    /** One captured body; {@code body} is a private copy, at most the cap long. */
    record Entry(long epochMillis, String requestId, String direction, int totalBytes, byte[] body) {
    }

    private final AsyncWriter<Entry> writer;
    private final int maxBytesPerEntry;
    /** The running config's secrets and the previous config's (exchanges that began before a reload); swapped whole. */
    private volatile Redactor redactor = Redactor.patternsOnly();

    private BodyCapture() {
        this.writer = null;
        this.maxBytesPerEntry = 0;
    }

    BodyCapture(OutputStream sink, boolean closeSink, int maxBytesPerEntry, int queueCapacity, Duration closeWait) {
        if (maxBytesPerEntry < 1) {
            throw new IllegalArgumentException("maxBytesPerEntry must be >= 1, got " + maxBytesPerEntry);
        }
        this.maxBytesPerEntry = maxBytesPerEntry;
        this.writer = new AsyncWriter<>("body-capture-writer", queueCapacity, sink, closeSink,
                this::writeEntry, closeWait);
    }

    /** The capture that captures nothing. */
    public static BodyCapture disabled() {
        return DISABLED;
    }

    /** Appends entries to {@code file} (created if missing), each body cut to {@code maxBytesPerEntry} bytes. */
    public static BodyCapture open(Path file, int maxBytesPerEntry) throws IOException {
        return new BodyCapture(AccessLog.openAppend(file), true, maxBytesPerEntry, DEFAULT_QUEUE_CAPACITY,
                AccessLog.DEFAULT_CLOSE_WAIT);
    }

    /**
     * The config's secrets, redacted by their exact values from now on, with those of the config before (for the
     * exchanges still running on it). Called at start and on each reload, from one thread at a time.
     */
    public synchronized void secrets(Collection<String> secrets) {
        redactor = redactor.then(secrets);
    }

    public boolean enabled() {
        return writer != null;
    }

    /**
     * Copies the readable bytes of {@code body} (up to the cap) and queues them; {@code body}'s indexes and
     * reference count are left untouched. Never blocks: drops and counts when the queue is full.
     *
     * @param direction {@code request} or {@code response}
     */
    public void capture(String requestId, String direction, ByteBuf body) {
        if (writer == null) {
            return;
        }
        int total = body.readableBytes();
        byte[] copy = ByteBufUtil.getBytes(body, body.readerIndex(), Math.min(total, maxBytesPerEntry));
        writer.offer(new Entry(System.currentTimeMillis(), requestId, direction, total, copy));
    }

    /** Entries dropped because the queue was full (or the capture closed, or the file failed). */
    public long dropped() {
        return writer == null ? 0 : writer.dropped();
    }

    @Override
    public void close() {
        if (writer != null) {
            writer.close();
        }
    }

    private void writeEntry(Entry e, OutputStream out) throws IOException {
        String text = redactor.redact(new String(e.body(), StandardCharsets.UTF_8));
        try (JsonGenerator g = RecordEncoders.JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("time", RecordEncoders.TIME.format(Instant.ofEpochMilli(e.epochMillis())));
            g.writeStringField("request_id", e.requestId());
            g.writeStringField("direction", e.direction());
            g.writeNumberField("bytes", e.totalBytes());
            g.writeBooleanField("truncated", e.body().length < e.totalBytes());
            g.writeStringField("body", text);
            g.writeEndObject();
        }
        out.write('\n');
    }
}
