package dev.llmgateway.accesslog;

import dev.llmgateway.config.ConfigLoader;
import dev.llmgateway.server.GatewayServer;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A stalled access-log sink never slows the gateway: requests flow, log lines are dropped and counted. */
class AccessLogStalledSinkTrafficTest {
    private static final int REQUESTS = 400;
    private static final int QUEUE = 32;
    /**
     * When the sink stalls the writer may be holding the batch it drained from the queue (at most a queue's worth
     * plus one); the queue then fills again, and everything beyond both is dropped.
     */
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
        try (GatewayServer server = GatewayServer.start(ConfigLoader.parse("""
                [server]
                host = "127.0.0.1"
                port = 0
                io_threads = 1

                [[api_keys]]
                name = "tester"
                key = "stall-key-0123456789"

                [providers.mock]
                type = "mock"
                tokens = 2
                token_delay = "0ms"

                [routing]
                default_provider = "mock"
                """, "stall.toml", Map.of()), log)) {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                            + "/v1/chat/completions"))
                    .header("authorization", "Bearer stall-key-0123456789")
                    .header("content-type", "application/json")
                    .timeout(Duration.ofSeconds(5))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\",\"messages\":[]}")).build();
            long started = System.nanoTime();
            for (int i = 0; i < REQUESTS; i++) {
                assertEquals(200, client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode());
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
