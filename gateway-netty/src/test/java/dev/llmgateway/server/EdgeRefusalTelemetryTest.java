package dev.llmgateway.server;

import dev.llmgateway.accesslog.AccessLog;
import dev.llmgateway.accesslog.BodyCapture;
import dev.llmgateway.accesslog.ExchangeRecord;
import dev.llmgateway.accesslog.SampleRecords;
import dev.llmgateway.metrics.GatewayMetrics;
import dev.llmgateway.testutil.GatewayHarness;
import dev.llmgateway.testutil.PrometheusText;
import dev.llmgateway.testutil.RawHttpClient;
import dev.llmgateway.tracing.Tracing;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Requests refused at the edge — undecodable, too large, too slow, against HTTP/1.1's rules — are counted in
 * {@code llm_requests_total} and {@code llm_errors_total} like any other answered request and logged in the access
 * log; under a flood their lines are dropped past a rate (and counted), never their counts.
 * HTTP/1.1 only: the refusals are HTTP/1.1 bytes written by hand.
 */
class EdgeRefusalTelemetryTest {
    @TempDir
    Path dir;

    @Test
    void refusalsAreCountedAndLogged() throws Exception {
        Path log = dir.resolve("access.log");
        try (GatewayHarness gateway = GatewayHarness.start("""
                max_request_bytes = 4096
                header_read_timeout = "200ms"
                """, GatewayHarness.mockConfig("""
                [access_log]
                sink = "%s"
                """.formatted(log.toString().replace("\\", "/"))), Map.of())) {
            assertEquals(400, refusal(gateway, "\u0001\u0002 not http\r\n\r\n"));
            assertEquals(413, refusal(gateway, "POST /v1/messages HTTP/1.1\r\nHost: g\r\nContent-Length: 5000\r\n"
                    + "x-api-key: " + GatewayHarness.KEY + "\r\nx-request-id: too-big-1\r\n\r\n"));
            assertEquals(505, refusal(gateway, "POST /v1/chat/completions HTTP/2.0\r\nHost: g\r\n\r\n"));
            assertEquals(408, refusal(gateway, "POST /v1/chat/completions HTTP/1.1\r\nHos"));

            String metrics = gateway.get("/metrics", null).body();
            for (String status : List.of("400", "413", "505", "408")) {
                assertEquals(1.0, PrometheusText.value(metrics, "llm_requests_total", "api_key", "none",
                        "status", status), status + " counted: " + metrics);
            }
            assertEquals(1.0, PrometheusText.value(metrics, "llm_requests_total", "endpoint", "messages",
                    "status", "413"), "the refusal's endpoint, as its path names it");
            assertEquals(1.0, PrometheusText.value(metrics, "llm_errors_total", "error_type", "request_too_large"));
            assertEquals(1.0, PrometheusText.value(metrics, "llm_errors_total", "error_type",
                    "http_version_not_supported"));
            assertEquals(0.0, PrometheusText.value(metrics, "llm_requests_in_flight"), "every refusal ended");

            List<String> lines = awaitLines(log, 4);
            assertTrue(lines.stream().anyMatch(line -> line.contains("\"request_id\":\"too-big-1\"")
                    && line.contains("\"path\":\"/v1/messages\"") && line.contains("\"status\":413")
                    && line.contains("\"outcome\":\"rejected\"") && line.contains("request_too_large")),
                    String.join("\n", lines));
            assertTrue(lines.stream().anyMatch(line -> line.contains("\"status\":408")
                    && line.contains("request_timeout")), String.join("\n", lines));
        }
    }

    @Test
    void aFloodOfRefusalsIsCountedWhileItsLinesAreCappedPerSecond() throws Exception {
        Path log = dir.resolve("flood.log");
        GatewayMetrics metrics = new GatewayMetrics();
        int refusals = ExchangeTelemetry.REFUSAL_LINES_PER_SECOND + 50;
        AccessLog accessLog = AccessLog.open(log.toString(), AccessLog.Format.JSON, 1024);
        try {
            ExchangeTelemetry telemetry = new ExchangeTelemetry(metrics, accessLog, BodyCapture.disabled(), Tracing.OFF);
            ExchangeRecord refused = SampleRecords.chat().rejectedBeforeRouting(400, "malformed_request").build();
            long start = System.nanoTime();
            for (int i = 0; i < refusals; i++) {
                telemetry.started();
                telemetry.refused(refused);
            }
            assertTrue(System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(900), "all within one second");
        } finally {
            accessLog.close();
        }
        assertEquals(ExchangeTelemetry.REFUSAL_LINES_PER_SECOND, Files.readAllLines(log).size());
        ByteBuf exposition = metrics.scrape(ByteBufAllocator.DEFAULT, null);
        String scrape = exposition.toString(StandardCharsets.UTF_8);
        exposition.release();
        assertEquals(refusals, PrometheusText.value(scrape, "llm_requests_total", "status", "400"), scrape);
        assertEquals(50.0, PrometheusText.value(scrape, "llm_log_dropped_lines_total", "log", "access_log_refusals"),
                scrape);
    }

    /** Sends {@code bytes} on a connection of its own; the status of the refusal that closes it. */
    private static int refusal(GatewayHarness gateway, String bytes) throws Exception {
        try (RawHttpClient client = new RawHttpClient(gateway.port())) {
            int status = client.send(bytes).read().status();
            assertTrue(client.closedByServer());
            return status;
        }
    }

    /** The access log's lines once it has at least {@code count} (its writer batches); bounded: 5 s. */
    private static List<String> awaitLines(Path log, int count) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        List<String> lines = List.of();
        while (System.nanoTime() < deadline) {
            lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
            if (lines.size() >= count) {
                break;
            }
            Thread.sleep(25);
        }
        return lines;
    }
}
