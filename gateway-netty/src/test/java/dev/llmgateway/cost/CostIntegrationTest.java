package dev.llmgateway.cost;

import dev.llmgateway.testutil.ClientProtocol;
import dev.llmgateway.testutil.FakeUpstream;
import dev.llmgateway.testutil.GatewayHarness;
import dev.llmgateway.testutil.JsonPath;
import dev.llmgateway.testutil.OnBothClientProtocols;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Costs through the real gateway, priced by the model the provider ran (an alias's api_model, dated) at the
 * shipped rates: a translated answer and a passed-through one, the header, the metric, and a budget refusal in
 * Anthropic's shape.
 */
@OnBothClientProtocols
class CostIntegrationTest {
    @Parameter
    ClientProtocol protocol;

    /** Claude Sonnet 4.5 with a cache read and both kinds of cache write, as Anthropic's body reports them. */
    private static final String CACHED_ANSWER = "{\"model\":\"claude-sonnet-4-5-20250929\",\"id\":\"msg_1\","
            + "\"type\":\"message\",\"role\":\"assistant\",\"content\":[{\"type\":\"text\",\"text\":\"ok\"}],"
            + "\"stop_reason\":\"end_turn\",\"stop_sequence\":null,\"usage\":{\"input_tokens\":1000,"
            + "\"cache_creation_input_tokens\":3000,\"cache_read_input_tokens\":20000,\"cache_creation\":"
            + "{\"ephemeral_5m_input_tokens\":2000,\"ephemeral_1h_input_tokens\":1000},\"output_tokens\":500}}";

    @Test
    void translatedAndPassedThroughAnswersCarryTheirCost() throws Exception {
        try (FakeUpstream upstream = new FakeUpstream(reply -> reply.full(200, "OK", "application/json",
                CACHED_ANSWER.getBytes(StandardCharsets.UTF_8)));
             GatewayHarness gateway = GatewayHarness.start(protocol, config(upstream, ""))) {
            HttpResponse<String> openAi = gateway.post("/v1/chat/completions",
                    "{\"model\":\"sonnet\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
            assertEquals(200, openAi.statusCode(), openAi.body());
            // 1,000 × $3 + 20,000 × $0.30 + 2,000 × $3.75 + 1,000 × $6 + 500 × $15, per million
            assertEquals("0.03", openAi.headers().firstValue("x-gateway-cost-usd").orElse(null));
            assertEquals("20000", JsonPath.read(openAi.body(), "usage", "prompt_tokens_details", "cached_tokens"));

            HttpResponse<String> anthropic = anthropicPost(gateway,
                    "{\"model\":\"sonnet\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
            assertEquals(200, anthropic.statusCode(), anthropic.body());
            assertEquals("0.03", anthropic.headers().firstValue("x-gateway-cost-usd").orElse(null));
            assertEquals("1000", JsonPath.read(anthropic.body(), "usage", "cache_creation",
                    "ephemeral_1h_input_tokens"));

            // The record of an exchange is counted just after its last byte is written: wait for the second.
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (cost(gateway) < 0.06 - 1e-12 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(0.06, cost(gateway), 1e-12, "the client's model label, the provider that served");
            assertEquals(6_000.0, gateway.server().metrics().registry().getSampleValue("llm_tokens_total",
                    new String[]{"api_key", "model", "provider", "type"},
                    new String[]{"tester", "sonnet", "claude", "cache_write"}));
        }
    }

    @Test
    void aBudgetRefusalSpeaksTheClientsApi() throws Exception {
        try (FakeUpstream upstream = new FakeUpstream(reply -> reply.full(200, "OK", "application/json",
                CACHED_ANSWER.getBytes(StandardCharsets.UTF_8)));
             GatewayHarness gateway = GatewayHarness.start(protocol, config(upstream, "budget_usd = 0.000001"))) {
            HttpResponse<String> refused = anthropicPost(gateway,
                    "{\"model\":\"sonnet\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
            assertEquals(429, refused.statusCode());
            assertEquals("error", JsonPath.read(refused.body(), "type"));
            assertEquals("rate_limit_error", JsonPath.read(refused.body(), "error", "type"));
            String message = JsonPath.read(refused.body(), "error", "message");
            assertTrue(message.startsWith("budget_exceeded: The key 'tester' has 0.000001 USD"), message);
            long untilMidnight = 86_400 - Math.floorMod(System.currentTimeMillis() / 1000, 86_400);
            long retryAfter = Long.parseLong(refused.headers().firstValue("retry-after").orElseThrow());
            assertTrue(Math.abs(retryAfter - untilMidnight) <= 2, retryAfter + " vs " + untilMidnight);
            assertEquals(0, upstream.received().size());
        }
    }

    private static double cost(GatewayHarness gateway) {
        Double value = gateway.server().metrics().registry().getSampleValue("llm_cost_usd_total",
                new String[]{"api_key", "model", "provider"}, new String[]{"tester", "sonnet", "claude"});
        return value == null ? 0 : value;
    }

    private static String config(FakeUpstream upstream, String keyLines) {
        return """
                [[api_keys]]
                name = "tester"
                key = "%s"
                %s

                [providers.claude]
                type = "anthropic"
                base_url = "%s/v1"
                api_keys = ["sk-ant-upstream"]

                [models."sonnet"]
                provider = "claude"
                api_model = "claude-sonnet-4-5-20250929"
                """.formatted(GatewayHarness.KEY, keyLines, upstream.baseUrl());
    }

    private static HttpResponse<String> anthropicPost(GatewayHarness gateway, String json) throws Exception {
        return gateway.client().send(gateway.request("/v1/messages")
                .header("x-api-key", GatewayHarness.KEY)
                .header("anthropic-version", "2023-06-01")
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
