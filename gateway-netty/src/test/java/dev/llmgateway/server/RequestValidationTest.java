package dev.llmgateway.server;

import dev.llmgateway.testutil.ClientProtocol;
import dev.llmgateway.testutil.FakeUpstream;
import dev.llmgateway.testutil.GatewayHarness;
import dev.llmgateway.testutil.JsonPath;
import dev.llmgateway.testutil.OnBothClientProtocols;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad input gets an OpenAI-shaped 4xx with a request id, the client's connection serving on, and the leak-detection
 * extension checks that nothing leaked on any of these paths. HTTP/1.1's own framing faults (a head too large,
 * garbage, pipelining) are {@link RequestConformanceTest}'s.
 */
@OnBothClientProtocols
class RequestValidationTest {
    @Parameter
    ClientProtocol protocol;

    private static final String CHAT = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static FakeUpstream upstream;
    private static GatewayHarness gateway;

    @BeforeParameterizedClassInvocation
    static void start(ClientProtocol protocol) throws Exception {
        upstream = new FakeUpstream(FakeUpstream.json("openai/chat-completion.json"));
        gateway = GatewayHarness.start(protocol, GatewayHarness.openAiConfig(upstream.baseUrl(), """
                [routing]
                default_provider = "up"
                """));
    }

    @AfterParameterizedClassInvocation
    static void stop() {
        gateway.close();
        upstream.close();
    }

    /** Sends a bad request then a good one with the same client: the first is refused, the second served. */
    private static HttpResponse<String> refusedThenServed(HttpRequest bad) throws Exception {
        HttpResponse<String> refused = gateway.client().send(bad, HttpResponse.BodyHandlers.ofString());
        assertTrue(refused.headers().firstValue("x-request-id").isPresent());
        assertEquals("application/json", refused.headers().firstValue("content-type").orElseThrow());
        assertEquals(200, gateway.post("/v1/chat/completions", CHAT).statusCode(),
                "the connection stays usable after a refused request");
        return refused;
    }

    private static HttpRequest post(String contentType, byte[] body) {
        return gateway.request("/v1/chat/completions").header("authorization", "Bearer " + GatewayHarness.KEY)
                .header("content-type", contentType).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
    }

    private static void assertError(HttpResponse<String> response, int status, String code) {
        assertEquals(status, response.statusCode(), response.body());
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
        HttpResponse<String> missing = refusedThenServed(post("application/json", "{\"messages\":[]}".getBytes()));
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
        assertEquals(200, gateway.client().send(post("Application/JSON; charset=utf-8", CHAT.getBytes()),
                HttpResponse.BodyHandlers.ofString()).statusCode());
    }

    @Test
    void unknownPathIs404AndWrongMethodIs405() throws Exception {
        HttpResponse<String> unknown = refusedThenServed(gateway.request("/v1/nothing").GET().build());
        assertError(unknown, 404, "unknown_url");
        HttpResponse<String> wrongMethod = refusedThenServed(gateway.request("/v1/chat/completions").GET().build());
        assertError(wrongMethod, 405, "method_not_allowed");
        assertEquals("GET, POST", wrongMethod.headers().firstValue("allow").orElseThrow());
    }

    @Test
    void bodyOverTheLimitIs413() throws Exception {
        try (GatewayHarness small = GatewayHarness.start(protocol, "max_request_bytes = 2048\n",
                GatewayHarness.openAiConfig(upstream.baseUrl(), "[routing]\ndefault_provider = \"up\"\n"), Map.of())) {
            HttpResponse<String> response = small.client().send(small.request("/v1/chat/completions")
                    .header("authorization", "Bearer " + GatewayHarness.KEY).header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[500_000])).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertError(response, 413, "request_too_large");
        }
    }
}
