package dev.llmgateway.auth;

import dev.llmgateway.testutil.ClientProtocol;
import dev.llmgateway.testutil.FakeUpstream;
import dev.llmgateway.testutil.GatewayHarness;
import dev.llmgateway.testutil.JsonPath;
import dev.llmgateway.testutil.OnBothClientProtocols;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Gateway keys: Bearer and x-api-key, missing, wrong, disabled, and per-key model allow-lists. */
@OnBothClientProtocols
class ApiKeyAuthTest {
    @Parameter
    ClientProtocol protocol;

    private static final String CHAT = "{\"model\":\"%s\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static FakeUpstream upstream;
    private static GatewayHarness gateway;

    @BeforeParameterizedClassInvocation
    static void start(ClientProtocol protocol) throws Exception {
        upstream = new FakeUpstream(FakeUpstream.json("openai/chat-completion.json"));
        gateway = GatewayHarness.start(protocol, GatewayHarness.openAiConfig(upstream.baseUrl(), """
                [[api_keys]]
                name = "limited"
                key = "limited-key-0123456789"
                models = ["gpt-4o-*", "cheap"]

                [[api_keys]]
                name = "retired"
                key = "retired-key-0123456789"
                enabled = false

                [routing]
                default_provider = "up"
                """));
    }

    @AfterParameterizedClassInvocation
    static void stop() {
        gateway.close();
        upstream.close();
    }

    private HttpResponse<String> chat(String model, String header, String value) throws Exception {
        HttpRequest.Builder request = gateway.request("/v1/chat/completions")
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(CHAT.formatted(model)));
        if (header != null) {
            request.header(header, value);
        }
        return gateway.client().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void bearerAndXApiKeyBothAuthenticate() throws Exception {
        assertEquals(200, chat("gpt-4o", "authorization", "Bearer " + GatewayHarness.KEY).statusCode());
        assertEquals(200, chat("gpt-4o", "authorization", "bearer " + GatewayHarness.KEY).statusCode());
        assertEquals(200, chat("gpt-4o", "x-api-key", GatewayHarness.KEY).statusCode());
    }

    @Test
    void missingKeyIs401() throws Exception {
        HttpResponse<String> response = chat("gpt-4o", null, null);
        assertEquals(401, response.statusCode());
        assertEquals("missing_api_key", JsonPath.read(response.body(), "error", "code"));
        assertEquals("invalid_request_error", JsonPath.read(response.body(), "error", "type"));
    }

    @Test
    void wrongKeyIs401() throws Exception {
        HttpResponse<String> response = chat("gpt-4o", "authorization", "Bearer not-a-key");
        assertEquals(401, response.statusCode());
        assertEquals("invalid_api_key", JsonPath.read(response.body(), "error", "code"));
        assertEquals(401, chat("gpt-4o", "authorization", "Basic " + GatewayHarness.KEY).statusCode());
    }

    @Test
    void disabledKeyIsRejected() throws Exception {
        HttpResponse<String> response = chat("gpt-4o", "authorization", "Bearer retired-key-0123456789");
        assertEquals(401, response.statusCode());
        assertEquals("invalid_api_key", JsonPath.read(response.body(), "error", "code"));
    }

    @Test
    void keyMayOnlyUseItsAllowedModels() throws Exception {
        assertEquals(200, chat("gpt-4o-mini", "authorization", "Bearer limited-key-0123456789").statusCode());
        assertEquals(200, chat("cheap", "authorization", "Bearer limited-key-0123456789").statusCode());
        HttpResponse<String> refused = chat("o3", "authorization", "Bearer limited-key-0123456789");
        assertEquals(403, refused.statusCode());
        assertEquals("model_not_allowed", JsonPath.read(refused.body(), "error", "code"));
    }

    @Test
    void modelsListNeedsAKeyButHealthDoesNot() throws Exception {
        assertEquals(401, gateway.get("/v1/models", null).statusCode());
        assertEquals(200, gateway.get("/v1/models", GatewayHarness.KEY).statusCode());
        assertEquals(200, gateway.get("/health", null).statusCode());
        assertEquals(200, gateway.get("/ready", null).statusCode());
    }
}
