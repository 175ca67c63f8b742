package dev.llmgateway.sse;

import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Fails a test class when Netty's leak detector reports a leak. Netty logs through java.util.logging here
 * (no SLF4J on the test classpath); leaks surface only after GC, when a later allocation polls the detector.
 */
public final class LeakReports implements BeforeAllCallback, AfterAllCallback {
    private static final List<String> REPORTS = new CopyOnWriteArrayList<>();
    // Held strongly: java.util.logging keeps loggers weakly and would drop the handler.
    private static final Logger LOGGER = Logger.getLogger(ResourceLeakDetector.class.getName());

    static {
        LOGGER.addHandler(new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getMessage() != null && record.getMessage().contains("LEAK")) {
                    REPORTS.add(record.getMessage());
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        });
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        collect();
        REPORTS.clear();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        collect();
        assertEquals(List.of(), REPORTS, "Netty leak reports");
    }

    private static void collect() {
        for (int i = 0; i < 5; i++) {
            System.gc();
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            // Tracking a new buffer makes the detector poll its reference queue and report.
            PooledByteBufAllocator.DEFAULT.directBuffer(1).release();
        }
    }
}
