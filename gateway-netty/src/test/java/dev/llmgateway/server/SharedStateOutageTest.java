package dev.llmgateway.server;

import dev.llmgateway.shared.SharedState;
import dev.llmgateway.testutil.FakeUpstream;
import dev.llmgateway.testutil.GatewayHarness;
import dev.llmgateway.testutil.JsonPath;
import dev.llmgateway.testutil.PrometheusText;
import dev.llmgateway.testutil.RedisServer;
import dev.llmgateway.testutil.SharedGateways;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

import static dev.llmgateway.testutil.SharedGateways.await;
import static dev.llmgateway.testutil.SharedGateways.send;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Redis killed under three replicas and brought back: with {@code on_unavailable = "local"} they keep serving, each
 * counting on its own, and share again when Redis returns; with {@code "deny"} a limited key gets 503 in its
 * client's API shape meanwhile. {@code /ready}, the metrics and one warning per replica say what happened.
 */
class SharedStateOutageTest {
    private static final String CHAT = "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static final String KEYS = """
            [[api_keys]]
            name = "five"
            key = "five-key-0123456789"
            requests_per_minute = 5

            [[api_keys]]
            name = "after"
            key = "after-key-0123456789"
            requests_per_minute = 5

            [routing]
            default_provider = "up"
            """;

    @Test
    void localKeepsServingPerReplicaThenSharesAgainAndDenyRefusesInTheClientsShape() throws Exception {
        try (RedisServer redis = RedisServer.start();
             FakeUpstream upstream = new FakeUpstream(FakeUpstream.json("openai/chat-completion.json"));
             SharedGateways local = SharedGateways.start(3, upstream.baseUrl(), KEYS, redis, "2s", "local");
             SharedGateways deny = SharedGateways.start(1, upstream.baseUrl(), KEYS, redis, "2s", "deny");
             WarningRecorder warnings = WarningRecorder.on(SharedState.class.getName())) {
            assertEquals(200, send(local.get(0), "five-key-0123456789", CHAT).statusCode(), "shared: 1 of 5");

            redis.kill();
            for (GatewayHarness gateway : List.of(local.get(0), local.get(1), local.get(2), deny.get(0))) {
                await("/ready says the shared state is down", () -> gateway.get("/ready", null).body()
                        .equals("{\"status\":\"ready\",\"providers\":{\"up\":\"closed\"},\"shared_state\":\"down\"}"));
            }

            // Each local replica counts the key on its own: five each, then 429.
            for (int i = 0; i < 5; i++) {
                assertEquals(200, send(local.get(0), "five-key-0123456789", CHAT).statusCode(), "local #" + i);
            }
            assertEquals(429, send(local.get(0), "five-key-0123456789", CHAT).statusCode());
            assertEquals(200, send(local.get(1), "five-key-0123456789", CHAT).statusCode(), "another replica's own");
            String scrape = local.get(0).get("/metrics", null).body();
            assertEquals(0.0, PrometheusText.value(scrape, "llm_shared_state_up"));
            assertTrue(PrometheusText.value(scrape, "llm_shared_state_fallbacks_total", "reason", "unreachable") >= 6);

            // deny: 503 in OpenAI's shape and in Anthropic's; a key without limits is not affected.
            HttpResponse<String> denied = send(deny.get(0), "five-key-0123456789", CHAT);
            assertEquals(503, denied.statusCode(), denied.body());
            assertEquals("server_error", JsonPath.read(denied.body(), "error", "type"));
            assertEquals("limits_unavailable", JsonPath.read(denied.body(), "error", "code"));
            assertEquals("1", denied.headers().firstValue("retry-after").orElseThrow());
            HttpResponse<String> anthropic = deny.get(0).client().send(deny.get(0).request("/v1/messages")
                    .header("x-api-key", "five-key-0123456789").header("anthropic-version", "2023-06-01")
                    .header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"gpt-4o\",\"max_tokens\":10,"
                            + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(503, anthropic.statusCode(), anthropic.body());
            assertEquals("error", JsonPath.read(anthropic.body(), "type"));
            assertEquals("overloaded_error", JsonPath.read(anthropic.body(), "error", "type"));
            assertEquals(anthropic.headers().firstValue("x-request-id").orElseThrow(),
                    JsonPath.read(anthropic.body(), "request_id"));
            assertEquals(200, send(deny.get(0), GatewayHarness.KEY, CHAT).statusCode());

            redis.restart();
            for (GatewayHarness gateway : List.of(local.get(0), local.get(1), local.get(2), deny.get(0))) {
                await("/ready says the shared state is up again", () -> gateway.get("/ready", null).body()
                        .contains("\"shared_state\":\"up\""));
            }
            // Shared again: five of fifteen across the three, though each replica alone would let five through.
            int admitted = 0;
            for (int i = 0; i < 15; i++) {
                admitted += send(local.get(i % 3), "after-key-0123456789", CHAT).statusCode() == 200 ? 1 : 0;
            }
            assertEquals(5, admitted);
            assertEquals(200, send(deny.get(0), "five-key-0123456789", CHAT).statusCode(),
                    "deny serves again (the new Redis is empty)");
            assertEquals(1.0, PrometheusText.value(local.get(0).get("/metrics", null).body(),
                    "llm_shared_state_up"));

            long unavailable = warnings.messages().stream().filter(m -> m.contains("shared state unavailable"))
                    .count();
            assertEquals(4, unavailable, "one warning per replica for the outage, however many requests and "
                    + "reconnect attempts: " + warnings.messages());
        }
    }
}
