package dev.llmgateway.accesslog;

import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A stalled access-log sink never slows the gateway: requests flow, log lines are dropped and counted. */
class AccessLogStalledSinkTrafficTest {
    private static final int REQUESTS = 400;
    private static final int QUEUE = 32;
    /** Lines count as held until flushed, so a stalled sink holds at most the capacity; the test allows twice. */
    private static final int HELD = 2 * QUEUE + 1;

    @Test
    void trafficFlowsWhileTheLogSinkIsStalled() throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        OutputStream stalled = new OutputStream() {
            @Override
            public void write(int b) {
                awaitForever();
            }

            @Override
            public void write(byte[] b, int off, int len) {
                awaitForever();
            }

            private void awaitForever() {
                while (true) {
                    try {
                        never.await();
                    } catch (InterruptedException ignored) {
                        // a stuck disk does not care about interrupts either
                    }
                }
            }
        };
        AccessLog log = new AccessLog(stalled, false, AccessLog.Format.JSON, QUEUE, Duration.ofMillis(200));
        try (MockGateway gateway = new MockGateway(log)) {
            long started = System.nanoTime();
            for (int i = 0; i < REQUESTS; i++) {
                assertEquals(200, gateway.send());
            }
            long elapsedMs = (System.nanoTime() - started) / 1_000_000;
            assertTrue(elapsedMs < 20_000, REQUESTS + " requests took " + elapsedMs + " ms");
            // The last exchange is reported just after its response is flushed, so the client can be a step ahead.
            long deadline = System.nanoTime() + 2_000_000_000L;
            while (log.dropped() < REQUESTS - HELD && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertTrue(log.dropped() >= REQUESTS - HELD, "dropped " + log.dropped());
        }
    }
}
