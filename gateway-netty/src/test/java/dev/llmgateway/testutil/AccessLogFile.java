package dev.llmgateway.testutil;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The access log a test gateway writes to a file, off the event loop: read once it has the lines expected. */
public final class AccessLogFile {
    private AccessLogFile() {
    }

    /** The file's lines once there are at least {@code count}; fails after 5 s. */
    public static List<String> awaitLines(Path file, int count) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (true) {
            List<String> lines = Files.exists(file) ? Files.readAllLines(file) : List.of();
            if (lines.size() >= count) {
                return lines;
            }
            assertTrue(System.nanoTime() < deadline, "access log lines: " + lines);
            Thread.sleep(20);
        }
    }
}
