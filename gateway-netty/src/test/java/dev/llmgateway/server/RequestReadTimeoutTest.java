package dev.llmgateway.server;

import dev.llmgateway.testutil.GatewayHarness;
import dev.llmgateway.testutil.JsonPath;
import dev.llmgateway.testutil.RawHttpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Slow or silent clients are cut off: a trickled head gets 408, an idle keep-alive connection is closed. HTTP/1.1
 * only: a head trickled byte by byte and keep-alive are HTTP/1.1's (HTTP/2's idle close is in Http2DownstreamTest).
 */
class RequestReadTimeoutTest {
    private static GatewayHarness gateway;

    @BeforeAll
    static void start() throws Exception {
        gateway = GatewayHarness.start("""
                header_read_timeout = "300ms"
                body_read_timeout = "300ms"
                idle_timeout = "600ms"
                """, """
                [[api_keys]]
                name = "tester"
                key = "%s"

                [providers.mock]
                type = "mock"
                """.formatted(GatewayHarness.KEY), Map.of());
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    @Test
    void headTrickledSlowerThanTheHeaderTimeoutGets408() throws Exception {
        try (RawHttpClient client = new RawHttpClient(gateway.port())) {
            long started = System.nanoTime();
            client.send("GET /health HTTP/1.1\r\nHost: g\r\n");
            Thread.sleep(150);
            client.send("X-Slow: 1\r\n");
            RawHttpClient.Response response = client.read();
            long elapsedMs = (System.nanoTime() - started) / 1_000_000;
            assertEquals(408, response.status());
            assertEquals("request_timeout", JsonPath.read(response.body(), "error", "code"));
            assertTrue(elapsedMs >= 250 && elapsedMs < 5000, "timed out after " + elapsedMs + " ms");
            assertTrue(client.closedByServer());
        }
    }

    @Test
    void bodyTrickledSlowerThanTheBodyTimeoutGets408() throws Exception {
        try (RawHttpClient client = new RawHttpClient(gateway.port())) {
            client.send("POST /v1/chat/completions HTTP/1.1\r\nHost: g\r\nContent-Type: application/json\r\n"
                    + "Authorization: Bearer " + GatewayHarness.KEY + "\r\nContent-Length: 100\r\n\r\n{\"model\":");
            assertEquals(408, client.read().status());
            assertTrue(client.closedByServer());
        }
    }

    @Test
    void idleKeepAliveConnectionIsClosedQuietlyAfterTheIdleTimeout() throws Exception {
        try (RawHttpClient client = new RawHttpClient(gateway.port())) {
            assertEquals(200, client.send("GET /health HTTP/1.1\r\nHost: g\r\n\r\n").read().status());
            long started = System.nanoTime();
            assertTrue(client.closedByServer(), "closed without a response");
            long elapsedMs = (System.nanoTime() - started) / 1_000_000;
            assertTrue(elapsedMs >= 400, "idle connection lived " + elapsedMs + " ms");
        }
    }

    @Test
    void aConnectionThatKeepsWorkingIsNotCut() throws Exception {
        try (RawHttpClient client = new RawHttpClient(gateway.port())) {
            for (int i = 0; i < 6; i++) {
                assertEquals(200, client.send("GET /health HTTP/1.1\r\nHost: g\r\n\r\n").read().status());
                Thread.sleep(200);
            }
        }
    }
}
