package dev.llmgateway.server;

import java.io.PrintStream;
import java.text.MessageFormat;
import java.time.Instant;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Operational log lines (the gateway's and Netty's, both through java.util.logging) written by one daemon thread
 * from a bounded queue, so an event loop never blocks on stderr. When the queue is full a line is dropped and
 * counted, and the count is reported with the next line that gets through.
 */
public final class AsyncLogHandler extends Handler {
    private static final int CAPACITY = 8192;

    private final BlockingQueue<String> queue = new ArrayBlockingQueue<>(CAPACITY);
    private final AtomicLong dropped = new AtomicLong();
    private final PrintStream out;

    private AsyncLogHandler(PrintStream out) {
        this.out = out;
        Thread writer = new Thread(this::drain, "gateway-log-writer");
        writer.setDaemon(true);
        writer.start();
    }

    /** Routes all java.util.logging output through one async handler on {@code out}, and returns it. */
    public static AsyncLogHandler install(PrintStream out, Level level) {
        LogManager.getLogManager().reset();
        Logger root = Logger.getLogger("");
        AsyncLogHandler handler = new AsyncLogHandler(out);
        handler.setLevel(level);
        root.setLevel(level);
        root.addHandler(handler);
        return handler;
    }

    @Override
    public void publish(LogRecord record) {
        if (!isLoggable(record)) {
            return;
        }
        StringBuilder line = new StringBuilder(128)
                .append(Instant.ofEpochMilli(record.getMillis())).append(' ')
                .append(record.getLevel().getName()).append(' ')
                .append(shortName(record.getLoggerName())).append(": ")
                .append(message(record));
        if (record.getThrown() != null) {
            line.append(" (").append(record.getThrown()).append(')');
        }
        if (!queue.offer(line.toString())) {
            dropped.incrementAndGet();
        }
    }

    private void drain() {
        while (true) {
            try {
                String line = queue.take();
                long lost = dropped.getAndSet(0);
                if (lost > 0) {
                    out.println("[log] " + lost + " lines dropped: the log queue was full");
                }
                out.println(line);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Waits briefly for queued lines to be written; used at exit. */
    @Override
    public void flush() {
        long deadline = System.nanoTime() + 500_000_000L;
        while (!queue.isEmpty() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        out.flush();
    }

    @Override
    public void close() {
        flush();
    }

    private static String message(LogRecord record) {
        String message = record.getMessage();
        Object[] parameters = record.getParameters();
        if (message == null) {
            return "";
        }
        return parameters == null || parameters.length == 0 ? message : MessageFormat.format(message, parameters);
    }

    private static String shortName(String name) {
        if (name == null) {
            return "";
        }
        int dot = name.lastIndexOf('.');
        return dot < 0 ? name : name.substring(dot + 1);
    }
}
