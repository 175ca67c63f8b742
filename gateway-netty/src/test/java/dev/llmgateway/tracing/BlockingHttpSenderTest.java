package dev.llmgateway.tracing;

import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.sdk.common.export.Compressor;
import io.opentelemetry.sdk.common.export.HttpResponse;
import io.opentelemetry.sdk.common.export.HttpSenderConfig;
import io.opentelemetry.sdk.common.export.MessageWriter;
import io.opentelemetry.sdk.common.export.ProxyOptions;
import io.opentelemetry.sdk.common.export.RetryPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLContext;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
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
import java.util.function.Supplier;

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

    private static HttpSenderConfig config(URI endpoint, Duration timeout, RetryPolicy retry) {
        return new HttpSenderConfig() {
            @Override
            public URI getEndpoint() {
                return endpoint;
            }

            @Override
            public String getContentType() {
                return "application/x-protobuf";
            }

            @Override
            public Compressor getCompressor() {
                return null;
            }

            @Override
            public Duration getTimeout() {
                return timeout;
            }

            @Override
            public Duration getConnectTimeout() {
                return timeout;
            }

            @Override
            public Supplier<Map<String, List<String>>> getHeadersSupplier() {
                return () -> Map.of("authorization", List.of("Bearer collector-token"));
            }

            @Override
            public ProxyOptions getProxyOptions() {
                return null;
            }

            @Override
            public RetryPolicy getRetryPolicy() {
                return retry;
            }

            @Override
            public SSLContext getSslContext() {
                return null;
            }

            @Override
            public X509TrustManager getTrustManager() {
                return null;
            }

            @Override
            public ExecutorService getExecutorService() {
                return null;
            }
        };
    }

    private static MessageWriter message(byte[] body) {
        return new MessageWriter() {
            @Override
            public void writeMessage(OutputStream output) throws IOException {
                output.write(body);
            }

            @Override
            public int getContentLength() {
                return body.length;
            }
        };
    }

    /** Sends one message; returns the response, or null with the error in {@code error}. */
    private static HttpResponse send(BlockingHttpSender sender, MessageWriter message,
                                     AtomicReference<Throwable> error) {
        AtomicReference<HttpResponse> response = new AtomicReference<>();
        sender.send(message, response::set, error::set);
        return response.get();
    }

    private static RetryPolicy quickRetries() {
        return RetryPolicy.builder().setMaxAttempts(3).setInitialBackoff(Duration.ofMillis(10)).build();
    }

    @Test
    void theBodyAndHeadersArriveOnAKeptAliveConnection() throws Exception {
        List<byte[]> bodies = new CopyOnWriteArrayList<>();
        List<Map<String, List<String>>> headers = new CopyOnWriteArrayList<>();
        BlockingHttpSender sender = new BlockingHttpSender(config(collector(bodies, headers, 200),
                Duration.ofSeconds(5), quickRetries()));
        AtomicReference<Throwable> error = new AtomicReference<>();
        for (int i = 0; i < 3; i++) {
            HttpResponse response = send(sender, message(BODY), error);
            assertNull(error.get());
            assertEquals(200, response.getStatusCode());
        }
        sender.shutdown();

        assertEquals(3, bodies.size());
        assertArrayEquals(BODY, bodies.get(0));
        assertEquals(List.of("application/x-protobuf"), headers.get(0).get("Content-type"));
        assertEquals(List.of("Bearer collector-token"), headers.get(0).get("Authorization"));
    }

    @Test
    void aRetryableStatusIsRetriedAndTheLastAnswerReturned() throws Exception {
        List<byte[]> bodies = new CopyOnWriteArrayList<>();
        BlockingHttpSender sender = new BlockingHttpSender(config(collector(bodies, new ArrayList<>(), 503, 200),
                Duration.ofSeconds(5), quickRetries()));
        AtomicReference<Throwable> error = new AtomicReference<>();

        HttpResponse response = send(sender, message(BODY), error);
        sender.shutdown();

        assertNull(error.get());
        assertEquals(200, response.getStatusCode());
        assertEquals(2, bodies.size(), "503, then the retry");
    }

    @Test
    void aRefusedStatusIsNotRetried() throws Exception {
        List<byte[]> bodies = new CopyOnWriteArrayList<>();
        BlockingHttpSender sender = new BlockingHttpSender(config(collector(bodies, new ArrayList<>(), 400),
                Duration.ofSeconds(5), quickRetries()));

        HttpResponse response = send(sender, message(BODY), new AtomicReference<>());
        sender.shutdown();

        assertEquals(400, response.getStatusCode());
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
            BlockingHttpSender sender = new BlockingHttpSender(config(
                    URI.create("http://127.0.0.1:" + stalled.getLocalPort() + "/v1/traces"), Duration.ofMillis(500),
                    null));
            AtomicReference<Throwable> error = new AtomicReference<>();
            // Far more than the socket buffers hold: the write blocks until the watchdog closes the connection.
            byte[] large = new byte[64 << 20];

            long start = System.nanoTime();
            HttpResponse response = send(sender, message(large), error);
            long tookMillis = (System.nanoTime() - start) / 1_000_000;
            sender.shutdown();
            for (Socket socket : accepted) {
                socket.close();
            }

            assertNull(response);
            assertNotNull(error.get());
            assertTrue(tookMillis < 5_000, "the export gave up after " + tookMillis + " ms");
        }
    }
}
