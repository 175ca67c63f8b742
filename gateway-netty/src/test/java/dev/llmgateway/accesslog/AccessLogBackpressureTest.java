package dev.llmgateway.accesslog;

import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AccessLogBackpressureTest {
    private static final int RECORDS = 100_000;
    private static final int CAPACITY = 1_024;

    /** A sink that blocks on its first write until released, deaf to interrupts: a wedged disk or pipe. */
    static final class StalledSink extends OutputStream {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public void write(int b) {
            block();
        }

        @Override
        public void write(byte[] b, int off, int len) {
            block();
        }

        private void block() {
            entered.countDown();
            boolean interrupted = false;
            while (true) {
                try {
                    release.await();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Test
    void logNeverBlocksOnAStalledSinkAndCloseGivesUp() throws InterruptedException {
        StalledSink sink = new StalledSink();
        Duration closeWait = Duration.ofMillis(200);
        AccessLog log = new AccessLog(sink, true, AccessLog.Format.JSON, CAPACITY, closeWait);
        try {
            // Fill the 64 KiB output buffer so the writer thread is wedged inside the sink before we start timing.
            for (int i = 0; i < 1_000 && sink.entered.getCount() > 0; i++) {
                log.log(SampleRecords.chat().build());
            }
            assertTrue(sink.entered.await(10, TimeUnit.SECONDS), "writer reached the sink");

            ExchangeRecord r = SampleRecords.chat().build();
            long slowest = 0;
            long start = System.nanoTime();
            for (int i = 0; i < RECORDS; i++) {
                long t0 = System.nanoTime();
                log.log(r);
                slowest = Math.max(slowest, System.nanoTime() - t0);
            }
            long total = System.nanoTime() - start;

            // Generous bounds for a shared 2-core machine (a GC pause may land in one call); a blocking log()
            // would never return at all.
            assertTrue(slowest < TimeUnit.MILLISECONDS.toNanos(200), "slowest log() took " + slowest + " ns");
            assertTrue(total < TimeUnit.SECONDS.toNanos(5), "100k log() calls took " + total + " ns");
            assertTrue(log.dropped() >= RECORDS - CAPACITY, "dropped " + log.dropped());

            long closeStart = System.nanoTime();
            log.close();
            long closeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closeStart);
            assertTrue(closeMillis >= closeWait.toMillis() - 5 && closeMillis < 2_000, "close took " + closeMillis);

            long droppedAfterClose = log.dropped();
            log.log(r);
            assertEquals(droppedAfterClose + 1, log.dropped(), "a closed log drops and counts");
        } finally {
            sink.release.countDown();
        }
    }
}
