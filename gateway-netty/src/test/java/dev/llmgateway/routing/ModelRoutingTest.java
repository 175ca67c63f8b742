package dev.llmgateway.routing;

import dev.llmgateway.testutil.ClientProtocol;
import dev.llmgateway.testutil.FakeUpstream;
import dev.llmgateway.testutil.GatewayHarness;
import dev.llmgateway.testutil.JsonPath;
import dev.llmgateway.testutil.OnBothClientProtocols;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;

import java.net.http.HttpResponse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every routing rule, in priority order, against two fake providers: alias → provider:model / provider/model →
 * prefix rule → default provider; and 404 when nothing matches.
 */
@OnBothClientProtocols
class ModelRoutingTest {
    @Parameter
    ClientProtocol protocol;

    private static final String CHAT = "{\"model\":\"%s\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static FakeUpstream alpha;
    private static FakeUpstream beta;
    private static GatewayHarness gateway;

    @BeforeParameterizedClassInvocation
    static void start(ClientProtocol protocol) throws Exception {
        alpha = new FakeUpstream(FakeUpstream.json("openai/chat-completion.json"));
        beta = new FakeUpstream(FakeUpstream.json("openai/chat-completion.json"));
        gateway = GatewayHarness.start(protocol, """
                [[api_keys]]
                name = "tester"
                key = "%s"

                [providers.alpha]
                type = "openai_compatible"
                base_url = "%s"

                [providers.beta]
                type = "openai_compatible"
                base_url = "%s"

                [models."smart"]
                provider = "beta"
                api_model = "beta-large-2025"

                [models."gpt-special"]
                provider = "alpha"

                [routing]
                default_provider = "alpha"

                [[routing.rules]]
                match = "gpt-*"
                provider = "beta"
                """.formatted(GatewayHarness.KEY, alpha.baseUrl(), beta.baseUrl()));
    }

    @AfterParameterizedClassInvocation
    static void stop() {
        gateway.close();
        alpha.close();
        beta.close();
    }

    /** Sends the model, returns which provider got it and the model it was sent, and checks the answer's model. */
    private String routed(String model) throws Exception {
        int alphaBefore = alpha.received().size();
        int betaBefore = beta.received().size();
        HttpResponse<String> response = gateway.post("/v1/chat/completions", CHAT.formatted(model));
        assertEquals(200, response.statusCode(), response.body());
        assertEquals(model, JsonPath.read(response.body(), "model"), "the client sees the model it asked for");
        FakeUpstream hit = alpha.received().size() > alphaBefore ? alpha : beta;
        assertEquals(1, alpha.received().size() - alphaBefore + beta.received().size() - betaBefore);
        return (hit == alpha ? "alpha:" : "beta:") + JsonPath.read(hit.last().body(), "model");
    }

    @Test
    void exactAliasWinsAndSendsItsApiModel() throws Exception {
        assertEquals("beta:beta-large-2025", routed("smart"));
    }

    @Test
    void aliasBeatsAPrefixRule() throws Exception {
        assertEquals("alpha:gpt-special", routed("gpt-special"));
    }

    @Test
    void providerNamespacedModelsGoToThatProvider() throws Exception {
        assertEquals("beta:some-model", routed("beta:some-model"));
        assertEquals("beta:org/with-slash", routed("beta/org/with-slash"));
        assertEquals("alpha:gpt-4o", routed("alpha/gpt-4o"));
    }

    @Test
    void prefixRuleMatches() throws Exception {
        assertEquals("beta:gpt-4o-mini", routed("gpt-4o-mini"));
    }

    @Test
    void anythingElseGoesToTheDefaultProviderUnchanged() throws Exception {
        assertEquals("alpha:llama-3.1-8b", routed("llama-3.1-8b"));
        assertEquals("alpha:unknown/thing", routed("unknown/thing"));
    }

    @Test
    void withoutADefaultAnUnknownModelIs404() throws Exception {
        try (GatewayHarness strict = GatewayHarness.start(protocol, GatewayHarness.openAiConfig(alpha.baseUrl(), ""))) {
            HttpResponse<String> response = strict.post("/v1/chat/completions", CHAT.formatted("nope"));
            assertEquals(404, response.statusCode());
            assertEquals("model_not_found", JsonPath.read(response.body(), "error", "code"));
            assertEquals("model", JsonPath.read(response.body(), "error", "param"));
        }
    }

    @Test
    void modelsListShowsAliasesAndNamespacedNames() throws Exception {
        HttpResponse<String> response = gateway.get("/v1/models", GatewayHarness.KEY);
        assertEquals(200, response.statusCode());
        assertEquals("list", JsonPath.read(response.body(), "object"));
        assertEquals(java.util.List.of("smart", "beta/beta-large-2025", "gpt-special", "alpha/gpt-special"),
                JsonPath.column(response.body(), "id", "data"));
        assertEquals("beta", JsonPath.read(response.body(), "data", "0", "owned_by"));
        assertEquals("model", JsonPath.read(response.body(), "data", "0", "object"));

        HttpResponse<String> one = gateway.get("/v1/models/smart", GatewayHarness.KEY);
        assertEquals(200, one.statusCode());
        assertEquals("smart", JsonPath.read(one.body(), "id"));
        HttpResponse<String> namespaced = gateway.get("/v1/models/beta%2Fbeta-large-2025", GatewayHarness.KEY);
        assertEquals("beta/beta-large-2025", JsonPath.read(namespaced.body(), "id"));
        assertEquals(404, gateway.get("/v1/models/none", GatewayHarness.KEY).statusCode());
    }

    /** The Anthropic SDKs' models.list()/retrieve() and Claude Code read Anthropic's shape; they send anthropic-version. */
    @Test
    void anAnthropicClientGetsTheModelsInAnthropicsShapeAndPages() throws Exception {
        HttpResponse<String> all = anthropicGet("/v1/models");
        assertEquals(200, all.statusCode(), all.body());
        assertEquals(java.util.List.of("smart", "beta/beta-large-2025", "gpt-special", "alpha/gpt-special"),
                JsonPath.column(all.body(), "id", "data"));
        assertEquals("model", JsonPath.read(all.body(), "data", "0", "type"));
        assertEquals("smart", JsonPath.read(all.body(), "data", "0", "display_name"));
        assertTrue(JsonPath.read(all.body(), "data", "0", "created_at").matches("\\d{4}-\\d\\d-\\d\\dT[0-9:]+Z"),
                all.body());
        assertEquals("false", JsonPath.read(all.body(), "has_more"));
        assertEquals("smart", JsonPath.read(all.body(), "first_id"));
        assertEquals("alpha/gpt-special", JsonPath.read(all.body(), "last_id"));
        assertEquals(null, JsonPath.read(all.body(), "object"), "no OpenAI members");

        HttpResponse<String> first = anthropicGet("/v1/models?limit=2");
        assertEquals(java.util.List.of("smart", "beta/beta-large-2025"), JsonPath.column(first.body(), "id", "data"));
        assertEquals("true", JsonPath.read(first.body(), "has_more"));
        HttpResponse<String> next = anthropicGet("/v1/models?limit=2&after_id=beta%2Fbeta-large-2025");
        assertEquals(java.util.List.of("gpt-special", "alpha/gpt-special"), JsonPath.column(next.body(), "id", "data"));
        assertEquals("false", JsonPath.read(next.body(), "has_more"));
        HttpResponse<String> before = anthropicGet("/v1/models?limit=1&before_id=gpt-special");
        assertEquals(java.util.List.of("beta/beta-large-2025"), JsonPath.column(before.body(), "id", "data"));
        assertEquals("true", JsonPath.read(before.body(), "has_more"));
        HttpResponse<String> badLimit = anthropicGet("/v1/models?limit=0");
        assertEquals(400, badLimit.statusCode());
        assertEquals("invalid_request_error", JsonPath.read(badLimit.body(), "error", "type"));

        HttpResponse<String> one = anthropicGet("/v1/models/smart");
        assertEquals(200, one.statusCode());
        assertEquals("model", JsonPath.read(one.body(), "type"));
        assertEquals("smart", JsonPath.read(one.body(), "id"));
        HttpResponse<String> none = anthropicGet("/v1/models/none");
        assertEquals(404, none.statusCode());
        assertEquals("error", JsonPath.read(none.body(), "type"));
        assertEquals("not_found_error", JsonPath.read(none.body(), "error", "type"));
    }

    private static HttpResponse<String> anthropicGet(String path) throws Exception {
        return gateway.client().send(gateway.request(path).header("x-api-key", GatewayHarness.KEY)
                .header("anthropic-version", "2023-06-01").GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
