package dev.llmgateway;

import dev.llmgateway.testutil.GatewayProcess;
import dev.llmgateway.testutil.RawHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Graceful drain on SIGTERM, with the gateway as a real process:
 * streams in flight complete, or at drain_timeout end with a draining error event; the process exits 0.
 */
class GatewayDrainTest {
    private static final String KEY = "test-key-0123456789";
    private static final String STREAM = "{\"model\":\"mock-model\",\"stream\":true,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    private GatewayProcess gateway;

    @AfterEach
    void kill() {
        if (gateway != null) {
            gateway.close();
        }
    }

    /** Starts the gateway with a slow mock stream (tokens × token_delay) and returns its port. */
    private int start(Path dir, String drainTimeout, int tokens, int adminPort) throws Exception {
        Path config = dir.resolve("gateway.toml");
        Files.writeString(config, """
                [server]
                host = "127.0.0.1"
                port = 0
                io_threads = 1
                warmup_requests = 0
                drain_timeout = "%s"

                [metrics]
                port = %d

                [[api_keys]]
                name = "tester"
                key = "%s"

                [providers.mock]
                type = "mock"
                tokens = %d
                token_delay = "100ms"

                [routing]
                default_provider = "mock"
                """.formatted(drainTimeout, adminPort, KEY, tokens));
        gateway = new GatewayProcess(Gateway.class, dir, config);
        return gateway.port();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static String post(String json) {
        return RawHttpClient.post("/v1/chat/completions", KEY, json);
    }

    private static boolean refused(int port) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return false;
        } catch (ConnectException refused) {
            return true;
        }
    }

    private static int status(int port, String path) throws IOException {
        try (RawHttpClient client = new RawHttpClient(port)) {
            return client.send("GET " + path + " HTTP/1.1\r\nHost: g\r\n\r\n").read().status();
        }
    }

    /** Polls until {@code port} refuses connections, for at most five seconds. */
    private static void awaitRefused(int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!refused(port)) {
            if (System.nanoTime() > deadline) {
                fail("the listener still accepts connections while draining");
            }
            Thread.sleep(20);
        }
    }

    @Test
    void anOpenStreamCompletesNewConnectionsAreRefusedAndTheExitCodeIsZero(@TempDir Path dir) throws Exception {
        int admin = freePort();
        int port = start(dir, "20s", 20, admin);
        try (RawHttpClient stream = new RawHttpClient(port); RawHttpClient idle = new RawHttpClient(port)) {
            assertEquals(200, idle.send("GET /health HTTP/1.1\r\nHost: g\r\n\r\n").read().status());
            assertEquals(200, status(admin, "/ready"));
            RawHttpClient.Response head = stream.send(post(STREAM)).readHead();
            assertEquals(200, head.status());

            gateway.sigterm();
            awaitRefused(port);
            assertEquals(503, status(admin, "/ready"), "not ready while draining");
            assertTrue(idle.closedByServer(), "an idle keep-alive connection is closed at once");

            String body = stream.readChunkedBody();
            assertTrue(body.contains("data: [DONE]"), body);
            assertFalse(body.contains("draining"), body);
            assertTrue(stream.closedByServer(), "a busy connection closes after its response");
        }
        assertEquals(0, gateway.exitCode(), gateway.output());
        assertTrue(gateway.output().contains("INFO Gateway: drained"), gateway.output());
    }

    @Test
    void aStreamLongerThanTheDrainTimeoutEndsWithADrainingErrorEvent(@TempDir Path dir) throws Exception {
        int port = start(dir, "1s", 100, freePort());
        try (RawHttpClient stream = new RawHttpClient(port)) {
            assertEquals(200, stream.send(post(STREAM)).readHead().status());
            long signalled = System.nanoTime();
            gateway.sigterm();

            String body = stream.readChunkedBody();
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - signalled);
            assertTrue(body.contains("data: {\"error\":{"), body);
            assertTrue(body.contains("\"code\":\"draining\""), body);
            assertFalse(body.contains("[DONE]"), "never a fake [DONE]: " + body);
            assertTrue(tookMillis >= 900 && tookMillis < 5000, "ended at drain_timeout, took " + tookMillis + " ms");
            assertTrue(stream.closedByServer());
        }
        assertEquals(0, gateway.exitCode(), gateway.output());
        assertTrue(gateway.output().contains("INFO Gateway: drain_timeout reached"), gateway.output());
    }
}
