package dev.llmgateway.tracing;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The export's HTTP sender against real servers on loopback: the body and headers arrive as written, statuses
 * worth it are retried within the timeout, and a collector that stops reading cannot hold the export thread past
 * the timeout. (Exports through the whole gateway, gzip and a collector that never answers included, are in
 * {@link TracingIntegrationTest}.)
 */
class BlockingHttpSenderTest {
    private static final byte[] BODY = "an ExportTraceServiceRequest".getBytes();

    private final ExecutorService serverThread = Executors.newSingleThreadExecutor();
    private HttpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
        serverThread.shutdownNow();
    }

    /** A collector answering each export with the next of {@code statuses} (the last one from then on). */
    private URI collector(List<byte[]> bodies, List<Map<String, List<String>>> headers, int... statuses)
            throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        server.setExecutor(serverThread);
        AtomicInteger calls = new AtomicInteger();
        server.createContext("/v1/traces", exchange -> {
            try (exchange; InputStream in = exchange.getRequestBody()) {
                bodies.add(in.readAllBytes());
                headers.add(Map.copyOf(exchange.getRequestHeaders()));
                int status = statuses[Math.min(calls.getAndIncrement(), statuses.length - 1)];
                exchange.sendResponseHeaders(status, -1);
            }
        });
        server.start();
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v1/traces");
    }

    private static BlockingHttpSender sender(URI endpoint, Duration timeout, BlockingHttpSender.Retries retries) {
        return new BlockingHttpSender(endpoint, Map.of("authorization", "Bearer collector-token"), timeout, false,
                retries);
    }

    /** Sends one body; returns the status, or -1 with the error in {@code error}. */
    private static int send(BlockingHttpSender sender, byte[] body, AtomicReference<Throwable> error) {
        try {
            return sender.send(body, body.length);
        } catch (IOException | InterruptedException e) {
            error.set(e);
            return -1;
        }
    }

    private static BlockingHttpSender.Retries quickRetries() {
        return new BlockingHttpSender.Retries(3, Duration.ofMillis(10), Duration.ofSeconds(5), 1.5);
    }

    @Test
    void theBodyAndHeadersArriveOnAKeptAliveConnection() throws Exception {
        List<byte[]> bodies = new CopyOnWriteArrayList<>();
        List<Map<String, List<String>>> headers = new CopyOnWriteArrayList<>();
        BlockingHttpSender sender = sender(collector(bodies, headers, 200), Duration.ofSeconds(5), quickRetries());
        AtomicReference<Throwable> error = new AtomicReference<>();
        for (int i = 0; i < 3; i++) {
            int status = send(sender, BODY, error);
            assertNull(error.get());
            assertEquals(200, status);
        }
        sender.close();

        assertEquals(3, bodies.size());
        assertArrayEquals(BODY, bodies.get(0));
        assertEquals(List.of("application/x-protobuf"), headers.get(0).get("Content-type"));
        assertEquals(List.of("Bearer collector-token"), headers.get(0).get("Authorization"));
    }

    @Test
    void aRetryableStatusIsRetriedAndTheLastAnswerReturned() throws Exception {
        List<byte[]> bodies = new CopyOnWriteArrayList<>();
        BlockingHttpSender sender = sender(collector(bodies, new ArrayList<>(), 503, 200), Duration.ofSeconds(5),
                quickRetries());
        AtomicReference<Throwable> error = new AtomicReference<>();

        int status = send(sender, BODY, error);
        sender.close();

        assertNull(error.get());
        assertEquals(200, status);
        assertEquals(2, bodies.size(), "503, then the retry");
    }

    @Test
    void aRefusedStatusIsNotRetried() throws Exception {
        List<byte[]> bodies = new CopyOnWriteArrayList<>();
        BlockingHttpSender sender = sender(collector(bodies, new ArrayList<>(), 400), Duration.ofSeconds(5),
                quickRetries());
        AtomicReference<Throwable> error = new AtomicReference<>();

        int status = send(sender, BODY, error);
        sender.close();

        assertNull(error.get());
        assertEquals(400, status);
        assertEquals(1, bodies.size());
    }

    @Test
    void aCollectorThatStopsReadingHasTheExportClosedAtTheTimeout() throws Exception {
        try (ServerSocket stalled = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            List<Socket> accepted = new CopyOnWriteArrayList<>();
            Thread acceptor = new Thread(() -> {
                try {
                    accepted.add(stalled.accept()); // and never reads from it
                } catch (IOException closed) {
                    // the test is over
                }
            });
            acceptor.start();
            BlockingHttpSender sender = sender(
                    URI.create("http://127.0.0.1:" + stalled.getLocalPort() + "/v1/traces"), Duration.ofMillis(500),
                    null);
            AtomicReference<Throwable> error = new AtomicReference<>();
            // Far more than the socket buffers hold: the write blocks until the watchdog closes the connection.
            byte[] large = new byte[64 << 20];

            long start = System.nanoTime();
            int status = send(sender, large, error);
            long tookMillis = (System.nanoTime() - start) / 1_000_000;
            sender.close();
            for (Socket socket : accepted) {
                socket.close();
            }

            assertEquals(-1, status);
            assertNotNull(error.get());
            assertTrue(tookMillis < 5_000, "the export gave up after " + tookMillis + " ms");
        }
    }
}
