package dev.llmgateway.bench.load;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The trace collector {@code gateway-traced} exports to: OTLP/HTTP on loopback, in this process (on the load
 * generator's core, as a collector would be another process), taking each export whole and answering 200 as a
 * collector that keeps up does. It counts what it took, so a run shows the spans really left the gateway.
 */
final class TraceCollector implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService executor = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "trace-collector");
        thread.setDaemon(true);
        return thread;
    });
    private final AtomicLong exports = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();

    TraceCollector() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.setExecutor(executor);
        server.createContext("/v1/traces", this::export);
        server.start();
    }

    /** The base URL for {@code [tracing] endpoint}. */
    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Exports and bytes taken so far, as one line for the run's output. */
    String received() {
        return exports.get() + " OTLP exports, " + bytes.get() / 1024 + " KiB";
    }

    private void export(HttpExchange exchange) throws IOException {
        try (exchange; InputStream body = exchange.getRequestBody()) {
            bytes.addAndGet(body.transferTo(OutputStream.nullOutputStream()));
            exports.incrementAndGet();
            exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
            exchange.sendResponseHeaders(200, -1); // an empty ExportTraceServiceResponse: all accepted
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
