package dev.llmgateway.routing;

import dev.llmgateway.testutil.FakeUpstream;
import dev.llmgateway.testutil.GatewayHarness;
import dev.llmgateway.testutil.JsonPath;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every routing rule, in priority order, against two fake providers: alias → provider:model / provider/model →
 * prefix rule → default provider; and 404 when nothing matches.
 */
class ModelRoutingTest {
    private static final String CHAT = "{\"model\":\"%s\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static FakeUpstream alpha;
    private static FakeUpstream beta;
    private static GatewayHarness gateway;

    @BeforeAll
    static void start() throws Exception {
        alpha = new FakeUpstream(FakeUpstream.json("openai/chat-completion.json"));
        beta = new FakeUpstream(FakeUpstream.json("openai/chat-completion.json"));
        gateway = GatewayHarness.start("""
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

    @AfterAll
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
        try (GatewayHarness strict = GatewayHarness.start(GatewayHarness.openAiConfig(alpha.baseUrl(), ""))) {
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
}
