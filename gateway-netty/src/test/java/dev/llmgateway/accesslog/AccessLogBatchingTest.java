package dev.llmgateway.accesslog;

import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Lines logged on an event loop go to the writer in batches: late by a bounded delay, never lost at shutdown. */
class AccessLogBatchingTest {
    /** Within this of being logged a line is in the sink: the loop's flush delay, the writer's park, and slack. */
    private static final long MAX_DELAY_MILLIS = AccessLog.FLUSH_DELAY_MILLIS + AsyncWriter.PARK_MILLIS + 100;

    /** Keeps what the writer writes, counting its write calls and noting when the last one came. */
    private static final class RecordingSink extends OutputStream {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private int writes;
        private long lastWriteNanos;

        @Override
        public synchronized void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            lastWriteNanos = System.nanoTime();
            writes++;
            bytes.write(b, off, len);
            notifyAll();
        }

        synchronized int writes() {
            return writes;
        }

        synchronized List<String> lines() {
            return bytes.toString(StandardCharsets.UTF_8).lines().toList();
        }

        /** Waits for {@code count} lines; returns when the writer wrote the last of them (System.nanoTime). */
        synchronized long awaitLines(int count) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (lines().size() < count) {
                long left = deadline - System.nanoTime();
                assertTrue(left > 0, "lines so far: " + lines());
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            return lastWriteNanos;
        }
    }

    private final EventLoop loop = new DefaultEventLoop();

    @AfterEach
    void stopLoop() {
        loop.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void aLineLoggedAtLowRateArrivesWithinTheFlushDelay() throws Exception {
        RecordingSink sink = new RecordingSink();
        try (AccessLog log = new AccessLog(sink, true, AccessLog.Format.JSON, 1024, Duration.ofSeconds(5))) {
            for (int i = 1; i <= 3; i++) {
                String id = "req_" + i;
                long logged = loop.submit(() -> logAt(log, id)).get();
                long waited = TimeUnit.NANOSECONDS.toMillis(sink.awaitLines(i) - logged);

                assertTrue(waited <= MAX_DELAY_MILLIS, id + " took " + waited + " ms");
                assertTrue(sink.lines().get(i - 1).contains("\"request_id\":\"" + id + "\""));
                Thread.sleep(100);
            }
            assertEquals(0, log.dropped());
        }
    }

    @Test
    void aBurstOnOneLoopReachesTheSinkInOneWrite() throws Exception {
        RecordingSink sink = new RecordingSink();
        int lines = 50;
        try (AccessLog log = new AccessLog(sink, true, AccessLog.Format.JSON, 1024, Duration.ofSeconds(5))) {
            loop.submit(() -> {
                for (int i = 0; i < lines; i++) {
                    log.log(SampleRecords.chat().requestId("req_" + i).build());
                }
            }).sync();
            sink.awaitLines(lines);
            Thread.sleep(MAX_DELAY_MILLIS);

            assertEquals(1, sink.writes(), "one batch, one write");
            List<String> written = sink.lines();
            assertEquals(lines, written.size());
            for (int i = 0; i < lines; i++) {
                assertTrue(written.get(i).contains("\"request_id\":\"req_" + i + "\""), "in order: " + written.get(i));
            }
        }
    }

    @Test
    void aStalledSinkCostsTheLoopDroppedLinesNotTime() throws Exception {
        AccessLogBackpressureTest.StalledSink sink = new AccessLogBackpressureTest.StalledSink();
        int capacity = 64;
        int records = 20_000;
        AccessLog log = new AccessLog(sink, true, AccessLog.Format.JSON, capacity, Duration.ofMillis(200));
        try {
            ExchangeRecord r = SampleRecords.chat().build();
            long slowest = loop.submit(() -> {
                long max = 0;
                for (int i = 0; i < records; i++) {
                    long t0 = System.nanoTime();
                    log.log(r);
                    max = Math.max(max, System.nanoTime() - t0);
                }
                return max;
            }).get(10, TimeUnit.SECONDS);

            assertTrue(sink.entered.await(5, TimeUnit.SECONDS), "the writer reached the sink");
            assertTrue(slowest < TimeUnit.MILLISECONDS.toNanos(200), "slowest log() took " + slowest + " ns");
            assertTrue(log.dropped() >= records - capacity, "dropped " + log.dropped());
            loop.submit(() -> { }).get(1, TimeUnit.SECONDS);

            long closeStart = System.nanoTime();
            log.close();
            long closeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closeStart);
            assertTrue(closeMillis < 2_000, "close took " + closeMillis);
            assertEquals(records, log.dropped(), "every line the stalled sink never took is counted");
        } finally {
            sink.release.countDown();
        }
    }

    @Test
    void linesStillInTheLoopsBatchAreWrittenWhenItShutsDown() throws Exception {
        RecordingSink sink = new RecordingSink();
        AccessLog log = new AccessLog(sink, true, AccessLog.Format.JSON, 1024, Duration.ofSeconds(5));
        loop.submit(() -> {
            for (int i = 0; i < 10; i++) {
                log.log(SampleRecords.chat().requestId("req_" + i).build());
            }
        }).sync();
        // Shut down before the flush delay is up: the loop hands its batch over as it stops.
        loop.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
        log.close();

        assertEquals(10, sink.lines().size());
        assertEquals(0, log.dropped());
    }

    @Test
    void aStoppingServerWritesEveryLine() throws Exception {
        RecordingSink sink = new RecordingSink();
        AccessLog log = new AccessLog(sink, true, AccessLog.Format.CONSOLE, 1024, Duration.ofSeconds(5));
        int requests = 20;
        try (MockGateway gateway = new MockGateway(log)) {
            for (int i = 0; i < requests; i++) {
                assertEquals(200, gateway.send());
            }
        }

        List<String> lines = sink.lines();
        assertEquals(requests, lines.size(), String.join("\n", lines));
        assertEquals(0, log.dropped());
    }

    private static long logAt(AccessLog log, String requestId) {
        log.log(SampleRecords.chat().requestId(requestId).build());
        return System.nanoTime();
    }
}
