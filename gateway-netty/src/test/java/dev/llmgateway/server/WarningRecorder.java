package dev.llmgateway.server;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Collects the warnings logged under some logger names while a test runs (Netty logs through JUL here). */
public final class WarningRecorder extends Handler implements AutoCloseable {
    private final List<String> messages = Collections.synchronizedList(new ArrayList<>());
    private final List<Logger> loggers = new ArrayList<>();

    public static WarningRecorder on(String... loggerNames) {
        WarningRecorder recorder = new WarningRecorder();
        recorder.setLevel(Level.WARNING);
        for (String name : loggerNames) {
            Logger logger = Logger.getLogger(name);
            logger.addHandler(recorder);
            recorder.loggers.add(logger);
        }
        return recorder;
    }

    @Override
    public void publish(LogRecord record) {
        if (isLoggable(record)) {
            messages.add(record.getLoggerName() + ": " + record.getMessage()
                    + (record.getThrown() == null ? "" : " " + record.getThrown()));
        }
    }

    public List<String> messages() {
        synchronized (messages) {
            return List.copyOf(messages);
        }
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        loggers.forEach(logger -> logger.removeHandler(this));
    }
}
