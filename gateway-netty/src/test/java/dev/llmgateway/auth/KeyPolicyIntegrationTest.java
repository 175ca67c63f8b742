package dev.llmgateway.auth;

import dev.llmgateway.testutil.ClientProtocol;
import dev.llmgateway.testutil.FakeUpstream;
import dev.llmgateway.testutil.Fixtures;
import dev.llmgateway.testutil.GatewayHarness;
import dev.llmgateway.testutil.JsonPath;
import dev.llmgateway.testutil.OnBothClientProtocols;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;

import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Per-key limits through the whole gateway (429, Retry-After, OpenAI's shape), and virtual keys' credentials. */
@OnBothClientProtocols
class KeyPolicyIntegrationTest {
    @Parameter
    ClientProtocol protocol;

    private static final String CHAT = "{\"model\":\"%s\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static final String STREAM = "{\"model\":\"demo\",\"stream\":true,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static FakeUpstream upstream;
    private static GatewayHarness gateway;

    @BeforeParameterizedClassInvocation
    static void start(ClientProtocol protocol) throws Exception {
        upstream = new FakeUpstream(FakeUpstream.json("openai/chat-completion.json"));
        gateway = GatewayHarness.start(protocol, "", GatewayHarness.openAiConfig(upstream.baseUrl(), """
                [[api_keys]]
                name = "rpm"
                key = "rpm-key-0123456789"
                requests_per_minute = 2

                [[api_keys]]
                name = "rpm-claude-code"
                key = "rpm-cc-key-0123456789"
                requests_per_minute = 1

                [[api_keys]]
                name = "tpm"
                key = "tpm-key-0123456789"
                tokens_per_minute = 1

                [[api_keys]]
                name = "conc"
                key = "conc-key-0123456789"
                max_concurrent = 1

                [[api_keys]]
                name = "budget"
                key = "budget-key-0123456789"
                token_budget = 1
                budget_period = "month"

                [[api_keys]]
                name = "team-a"
                key = "team-a-key-0123456789"
                provider_keys = { up = "${TEAM_A_KEY}" }

                [[api_keys]]
                name = "team-b"
                key = "team-b-key-0123456789"
                provider_keys = { up = "${TEAM_B_KEY}" }

                [providers.mock]
                type = "mock"
                tokens = 5
                token_delay = "100ms"

                [models."demo"]
                provider = "mock"
                api_model = "mock-1"

                [routing]
                default_provider = "up"
                """), Map.of("TEAM_A_KEY", "sk-team-a"));
    }

    @AfterParameterizedClassInvocation
    static void stop() {
        gateway.close();
        upstream.close();
    }

    private static HttpRequest.Builder post(String key, String body) {
        return gateway.request("/v1/chat/completions")
                .header("authorization", "Bearer " + key)
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
    }

    private static HttpResponse<String> send(String key, String body) throws Exception {
        return gateway.client().send(post(key, body).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void assertRateLimited(HttpResponse<String> response, String type) {
        assertEquals(429, response.statusCode(), response.body());
        assertEquals("rate_limit_exceeded", JsonPath.read(response.body(), "error", "code"));
        assertEquals(type, JsonPath.read(response.body(), "error", "type"));
        long retryAfter = Long.parseLong(response.headers().firstValue("retry-after").orElseThrow());
        assertTrue(retryAfter >= 1 && retryAfter <= 60 * 60 * 24 * 31, "Retry-After " + retryAfter);
    }

    /** The exchange ends on the event loop just after its last bytes leave, so the client may be a moment early. */
    private static HttpResponse<String> sendUntil(int status, String key, String body) throws Exception {
        HttpResponse<String> response = send(key, body);
        for (int i = 0; i < 40 && response.statusCode() != status; i++) {
            Thread.sleep(50);
            response = send(key, body);
        }
        return response;
    }

    @Test
    void requestsPerMinute() throws Exception {
        assertEquals(200, send("rpm-key-0123456789", CHAT.formatted("gpt-4o")).statusCode());
        assertEquals(200, send("rpm-key-0123456789", CHAT.formatted("gpt-4o")).statusCode());
        HttpResponse<String> refused = send("rpm-key-0123456789", CHAT.formatted("gpt-4o"));
        assertRateLimited(refused, "requests");
        assertTrue(Long.parseLong(refused.headers().firstValue("retry-after").orElseThrow()) <= 60);
        assertEquals(200, send(GatewayHarness.KEY, CHAT.formatted("gpt-4o")).statusCode(), "other keys go on");
    }

    @Test
    void aLimitOnTheMessagesRouteAnswersInAnthropicsShape() throws Exception {
        String message = "{\"model\":\"demo\",\"max_tokens\":20,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";
        HttpRequest.Builder request = gateway.request("/v1/messages").header("x-api-key", "rpm-cc-key-0123456789")
                .header("anthropic-version", "2023-06-01").header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(message));
        assertEquals(200, gateway.client().send(request.build(), HttpResponse.BodyHandlers.ofString()).statusCode());
        HttpResponse<String> refused = gateway.client().send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(429, refused.statusCode(), refused.body());
        assertEquals("error", JsonPath.read(refused.body(), "type"));
        assertEquals("rate_limit_error", JsonPath.read(refused.body(), "error", "type"));
        assertEquals(refused.headers().firstValue("x-request-id").orElseThrow(),
                JsonPath.read(refused.body(), "request_id"));
        long retryAfter = Long.parseLong(refused.headers().firstValue("retry-after").orElseThrow());
        assertTrue(retryAfter >= 1 && retryAfter <= 60, "Retry-After " + retryAfter);
    }

    @Test
    void tokensPerMinuteChargedFromAStreamsUsage() throws Exception {
        HttpResponse<String> stream = send("tpm-key-0123456789", STREAM);
        assertEquals(200, stream.statusCode());
        assertTrue(stream.body().contains("[DONE]"));
        assertRateLimited(sendUntil(429, "tpm-key-0123456789", STREAM), "tokens");
    }

    @Test
    void concurrencyWithASlowStream() throws Exception {
        HttpResponse<InputStream> open = gateway.client().send(post("conc-key-0123456789", STREAM).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, open.statusCode());
        assertRateLimited(send("conc-key-0123456789", STREAM), "requests");
        try (InputStream body = open.body()) {
            body.readAllBytes();
        }
        assertEquals(200, sendUntil(200, "conc-key-0123456789", CHAT.formatted("gpt-4o")).statusCode(),
                "the slot is back once the stream ended");
    }

    @Test
    void tokenBudget() throws Exception {
        assertEquals(200, send("budget-key-0123456789", STREAM).statusCode());
        assertRateLimited(sendUntil(429, "budget-key-0123456789", CHAT.formatted("gpt-4o")), "tokens");
    }

    @Test
    void virtualKeySendsItsOwnCredential() throws Exception {
        assertEquals(200, send("team-a-key-0123456789", CHAT.formatted("gpt-4o")).statusCode());
        assertEquals("Bearer sk-team-a", upstream.last().headers().get("authorization"));
        assertEquals(200, send(GatewayHarness.KEY, CHAT.formatted("gpt-4o")).statusCode());
        assertEquals("Bearer sk-upstream-secret", upstream.last().headers().get("authorization"));
    }

    @Test
    void virtualKeyIgnoresTheProvidersRestingKeys() throws Exception {
        byte[] ok = Fixtures.bytes("openai/chat-completion.json");
        byte[] refused = Fixtures.bytes("openai/error-401-invalid-api-key.json");
        try (FakeUpstream own = new FakeUpstream(reply -> {
            boolean shared = "Bearer sk-upstream-secret".equals(reply.request().headers().get("authorization"));
            reply.full(shared ? 401 : 200, shared ? "Unauthorized" : "OK", "application/json", shared ? refused : ok);
        }); GatewayHarness isolated = GatewayHarness.start(protocol, "", GatewayHarness.openAiConfig(own.baseUrl(), """
                [[api_keys]]
                name = "team-a"
                key = "team-a-key-0123456789"
                provider_keys = { up = "sk-team-a" }

                [routing]
                default_provider = "up"
                """), Map.of())) {
            assertEquals(502, isolated.post("/v1/chat/completions", CHAT.formatted("gpt-4o")).statusCode(),
                    "the provider rejected the gateway's key");
            assertEquals(503, isolated.post("/v1/chat/completions", CHAT.formatted("gpt-4o")).statusCode(),
                    "the provider's only key rests after its 401");
            HttpResponse<String> virtual = isolated.client().send(isolated.request("/v1/chat/completions")
                    .header("authorization", "Bearer team-a-key-0123456789")
                    .header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(CHAT.formatted("gpt-4o"))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, virtual.statusCode(), virtual.body());
            assertEquals("Bearer sk-team-a", own.last().headers().get("authorization"));
        }
    }

    @Test
    void virtualKeyWithAnUnsetVariableIsDisabled() throws Exception {
        assertEquals(401, send("team-b-key-0123456789", CHAT.formatted("gpt-4o")).statusCode());
    }
}
