package dev.llmgateway.server;

import dev.llmgateway.testutil.GatewayHarness;
import dev.llmgateway.testutil.RawHttpClient;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code server.max_connections}: a connection over the cap is closed at once, counted, and room comes back.
 * HTTP/1.1 only: the cap counts connections before any protocol is chosen.
 */
class ConnectionCapTest {
    private static final String HEALTH = "GET /health HTTP/1.1\r\nHost: g\r\n\r\n";

    @Test
    void aConnectionOverTheCapIsClosedAtOnceAndCounted() throws Exception {
        try (GatewayHarness gateway = GatewayHarness.start("max_connections = 2\n", """
                [[api_keys]]
                name = "tester"
                key = "%s"
                """.formatted(GatewayHarness.KEY), Map.of())) {
            RawHttpClient first = new RawHttpClient(gateway.port());
            try (RawHttpClient second = new RawHttpClient(gateway.port())) {
                assertEquals(200, first.send(HEALTH).read().status());
                assertEquals(200, second.send(HEALTH).read().status());
                try (RawHttpClient third = new RawHttpClient(gateway.port())) {
                    assertTrue(third.closedByServer(), "the third connection is closed without an answer");
                }
                String metrics = second.send("GET /metrics HTTP/1.1\r\nHost: g\r\n\r\n").read().body();
                assertTrue(metrics.contains("llm_connections_rejected_total 1.0"), metrics);
                assertTrue(metrics.contains("llm_connections_open 2.0"), metrics);
                first.close();
                awaitAdmitted(gateway.port());
            }
        }
    }

    /** Once a slot is free a new connection is served. Bounded: 5 s. */
    private static void awaitAdmitted(int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (true) {
            try (RawHttpClient client = new RawHttpClient(port)) {
                assertEquals(200, client.send(HEALTH).read().status());
                return;
            } catch (IOException closed) {
                if (System.nanoTime() > deadline) {
                    throw closed;
                }
                Thread.sleep(20);
            }
        }
    }
}
