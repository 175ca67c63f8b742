package dev.llmgateway.server;

import dev.llmgateway.testutil.FakeUpstream;
import dev.llmgateway.testutil.GatewayHarness;
import dev.llmgateway.testutil.JsonPath;
import dev.llmgateway.testutil.RawHttpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad input gets an OpenAI-shaped 4xx with a request id; the connection stays usable when HTTP allows it, and
 * the leak-detection extension checks that nothing leaked on any of these paths.
 */
class RequestValidationTest {
    private static final String CHAT = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static FakeUpstream upstream;
    private static GatewayHarness gateway;

    @BeforeAll
    static void start() throws Exception {
        upstream = new FakeUpstream(FakeUpstream.json("openai/chat-completion.json"));
        gateway = GatewayHarness.start(GatewayHarness.openAiConfig(upstream.baseUrl(), """
                [routing]
                default_provider = "up"
                """));
    }

    @AfterAll
    static void stop() {
        gateway.close();
        upstream.close();
    }

    /** Sends a bad request then a good one on the same connection: the first is refused, the second served. */
    private RawHttpClient.Response refusedThenServed(String badRequest) throws Exception {
        try (RawHttpClient client = new RawHttpClient(gateway.port())) {
            RawHttpClient.Response bad = client.send(badRequest.getBytes(StandardCharsets.ISO_8859_1)).read();
            assertTrue(bad.headers().containsKey("x-request-id"));
            assertEquals("application/json", bad.headers().get("content-type"));
            RawHttpClient.Response good = client.send(RawHttpClient.post("/v1/chat/completions",
                    GatewayHarness.KEY, CHAT)).read();
            assertEquals(200, good.status(), "the connection stays usable after a refused request");
            return bad;
        }
    }

    private static String post(String contentType, byte[] body) {
        return "POST /v1/chat/completions HTTP/1.1\r\nHost: g\r\nAuthorization: Bearer " + GatewayHarness.KEY
                + "\r\nContent-Type: " + contentType + "\r\nContent-Length: " + body.length + "\r\n\r\n"
                + new String(body, StandardCharsets.ISO_8859_1);
    }

    private static void assertError(RawHttpClient.Response response, int status, String code) {
        assertEquals(status, response.status(), response.body());
        assertEquals(code, JsonPath.read(response.body(), "error", "code"));
        assertEquals("invalid_request_error", JsonPath.read(response.body(), "error", "type"));
        assertTrue(JsonPath.read(response.body(), "error", "message").length() > 10);
    }

    @Test
    void malformedJsonIs400() throws Exception {
        assertError(refusedThenServed(post("application/json", "{\"model\": \"m\",".getBytes())), 400,
                "invalid_json");
        assertError(refusedThenServed(post("application/json", "[1,2]".getBytes())), 400, "invalid_json");
        assertError(refusedThenServed(post("application/json", "{\"model\":\"m\"} {}".getBytes())), 400,
                "invalid_json");
    }

    @Test
    void missingOrNonStringModelIs400() throws Exception {
        RawHttpClient.Response missing = refusedThenServed(post("application/json", "{\"messages\":[]}".getBytes()));
        assertError(missing, 400, "missing_required_parameter");
        assertEquals("model", JsonPath.read(missing.body(), "error", "param"));
        assertError(refusedThenServed(post("application/json", "{\"model\":42}".getBytes())), 400, "invalid_type");
        assertError(refusedThenServed(post("application/json", "{\"model\":\"\"}".getBytes())), 400, "invalid_type");
    }

    @Test
    void invalidUtf8Is400() throws Exception {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"".getBytes());
        body.write(0xC3);
        body.write(0x28);
        body.writeBytes("\"}]}".getBytes());
        assertError(refusedThenServed(post("application/json", body.toByteArray())), 400, "invalid_encoding");
    }

    @Test
    void emptyBodyIs400() throws Exception {
        assertError(refusedThenServed(post("application/json", new byte[0])), 400, "invalid_json");
    }

    @Test
    void wrongContentTypeIs415() throws Exception {
        assertError(refusedThenServed(post("text/plain", CHAT.getBytes())), 415, "unsupported_media_type");
        try (RawHttpClient client = new RawHttpClient(gateway.port())) {
            assertEquals(200, client.send(post("Application/JSON; charset=utf-8", CHAT.getBytes())).read().status());
        }
    }

    @Test
    void unknownPathIs404AndWrongMethodIs405() throws Exception {
        RawHttpClient.Response unknown = refusedThenServed("GET /v1/nothing HTTP/1.1\r\nHost: g\r\n\r\n");
        assertError(unknown, 404, "unknown_url");
        RawHttpClient.Response wrongMethod = refusedThenServed(
                "GET /v1/chat/completions HTTP/1.1\r\nHost: g\r\n\r\n");
        assertError(wrongMethod, 405, "method_not_allowed");
        assertEquals("GET, POST", wrongMethod.headers().get("allow"));
    }

    @Test
    void bodyOverTheLimitIs413BeforeItIsRead() throws Exception {
        try (GatewayHarness small = GatewayHarness.start("max_request_bytes = 2048\n",
                GatewayHarness.openAiConfig(upstream.baseUrl(), "[routing]\ndefault_provider = \"up\"\n"), Map.of());
             RawHttpClient client = new RawHttpClient(small.port())) {
            client.send("POST /v1/chat/completions HTTP/1.1\r\nHost: g\r\nAuthorization: Bearer "
                    + GatewayHarness.KEY + "\r\nContent-Type: application/json\r\nContent-Length: 5000000\r\n\r\n{");
            RawHttpClient.Response response = client.read();
            assertError(response, 413, "request_too_large");
            assertTrue(client.closedByServer());
        }
    }

    @Test
    void oversizedHeadersAre431AndGarbageIs400ThenClosed() throws Exception {
        try (RawHttpClient client = new RawHttpClient(gateway.port())) {
            client.send("GET /health HTTP/1.1\r\nHost: g\r\nX-Big: " + "a".repeat(70_000) + "\r\n\r\n");
            assertEquals(431, client.read().status());
            assertTrue(client.closedByServer());
        }
        try (RawHttpClient client = new RawHttpClient(gateway.port())) {
            client.send("\u0001\u0002 garbage garbage\r\n\r\n");
            assertEquals(400, client.read().status());
            assertTrue(client.closedByServer());
        }
    }

    @Test
    void http10RequestIsAnsweredAndClosed() throws Exception {
        try (RawHttpClient client = new RawHttpClient(gateway.port())) {
            RawHttpClient.Response health = client.send("GET /health HTTP/1.0\r\n\r\n").read();
            assertEquals(200, health.status());
            assertEquals("ok", JsonPath.read(health.body(), "status"));
            assertTrue(client.closedByServer());
        }
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        try (RawHttpClient client = new RawHttpClient(gateway.port())) {
            client.send(RawHttpClient.post("/v1/chat/completions", GatewayHarness.KEY, CHAT)
                    + "GET /v1/nothing HTTP/1.1\r\nHost: g\r\n\r\n"
                    + "GET /health HTTP/1.1\r\nHost: g\r\n\r\n");
            assertEquals(200, client.read().status());
            assertEquals(404, client.read().status());
            assertEquals(200, client.read().status());
        }
    }
}
