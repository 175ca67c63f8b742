package dev.llmgateway.metrics;

import dev.llmgateway.testutil.ClientProtocol;
import dev.llmgateway.testutil.GatewayHarness;
import dev.llmgateway.testutil.JsonPath;
import dev.llmgateway.testutil.OnBothClientProtocols;
import dev.llmgateway.testutil.PrometheusText;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Where /metrics is served and who may read it, and the optional body capture. */
@OnBothClientProtocols
class MetricsEndpointTest {
    @Parameter
    ClientProtocol protocol;

    private static final String MOCK = """
            [[api_keys]]
            name = "tester"
            key = "%s"

            [providers.mock]
            type = "mock"
            tokens = 3
            token_delay = "0ms"

            [routing]
            default_provider = "mock"
            """.formatted(GatewayHarness.KEY);

    @Test
    void aKeyCanBeRequiredForMetrics() throws Exception {
        try (GatewayHarness gateway = GatewayHarness.start(protocol, MOCK + "\n[metrics]\nrequire_key = true\n")) {
            HttpResponse<String> refused = gateway.get("/metrics", null);
            assertEquals(401, refused.statusCode());
            assertEquals("missing_api_key", JsonPath.read(refused.body(), "error", "code"));
            assertEquals(200, gateway.get("/metrics", GatewayHarness.KEY).statusCode());
        }
    }

    @Test
    void metricsCanMoveToAnAdminPort() throws Exception {
        try (GatewayHarness gateway = GatewayHarness.start(protocol, MOCK + "\n[metrics]\nport = " + freePort() + "\n")) {
            assertEquals(404, gateway.get("/metrics", null).statusCode(), "not on the main listener");
            gateway.post("/v1/chat/completions", "{\"model\":\"m\",\"messages\":[]}");
            HttpResponse<String> admin = gateway.client().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + gateway.adminPort() + "/metrics")).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, admin.statusCode());
            assertEquals(1, PrometheusText.value(admin.body(), "llm_requests_total", "status", "200"));
            assertEquals(0, PrometheusText.value(admin.body(), "llm_log_dropped_lines_total", "log", "access_log"));
            HttpResponse<String> chat = gateway.client().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + gateway.adminPort() + "/v1/models")).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(404, chat.statusCode(), "the admin port serves only health, ready and metrics");
        }
    }

    @Test
    void bodyCaptureWritesRequestsAndResponses(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("capture.jsonl");
        try (GatewayHarness gateway = GatewayHarness.start(protocol, MOCK + """

                [capture]
                enabled = true
                file = "%s"
                """.formatted(file.toString().replace("\\", "/")))) {
            gateway.post("/v1/chat/completions", "{\"model\":\"m\",\"messages\":[{\"role\":\"user\","
                    + "\"content\":\"my password is sk-abcdefghijklmnopqrstuvwxyz\"}]}");
        }
        List<String> lines = Files.readAllLines(file);
        assertEquals(2, lines.size(), lines.toString());
        assertEquals("request", JsonPath.read(lines.get(0), "direction"));
        assertEquals("response", JsonPath.read(lines.get(1), "direction"));
        assertTrue(!lines.get(0).contains("sk-abcdefghijklmnopqrstuvwxyz"), "secrets are redacted: " + lines.get(0));
        assertTrue(lines.get(1).contains("chat.completion"));
    }

    private static int freePort() throws Exception {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
