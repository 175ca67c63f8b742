package dev.llmgateway.proxy;

import dev.llmgateway.testutil.FakeUpstream;
import dev.llmgateway.testutil.Fixtures;
import dev.llmgateway.testutil.GatewayHarness;
import dev.llmgateway.testutil.RedisServer;
import dev.llmgateway.testutil.SharedGateways;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.llmgateway.testutil.SharedGateways.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An upstream key one replica met a 429 with rests on every replica: the others stop sending it at once, without
 * each meeting the 429 themselves.
 */
class SharedKeyRestsIntegrationTest {
    private static final String CHAT = "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    @Test
    void aKeyRestedAfterA429OnOneReplicaIsNotSentByTheOthers() throws Exception {
        try (RedisServer redis = RedisServer.start();
             FakeUpstream upstream = new FakeUpstream(reply -> {
                 if ("Bearer sk-first".equals(reply.request().headers().get("authorization"))) {
                     reply.full(429, "Too Many Requests", "application/json",
                             Fixtures.bytes("openai/error-429-rate-limit.json"), "retry-after", "60");
                 } else {
                     reply.full(200, "OK", "application/json", Fixtures.bytes("openai/chat-completion.json"));
                 }
             });
             SharedGateways gateways = SharedGateways.start(3, upstream.baseUrl(), """
                     [providers.two]
                     type = "openai_compatible"
                     base_url = "%s"
                     api_keys = ["sk-first", "sk-second"]
                     max_attempts = 2

                     [routing]
                     default_provider = "two"
                     """.formatted(upstream.baseUrl()), redis, "2s", "local")) {
            // Every replica's ring starts with the first key: the first replica meets the 429 and moves on.
            assertEquals(200, gateways.get(0).post("/v1/chat/completions", CHAT).statusCode());
            assertEquals(List.of("Bearer sk-first", "Bearer sk-second"), sentKeys(upstream));
            await("the rest is in Redis", () -> ((List<?>) redis.command("HKEYS", "llm-gateway:upstream-key-rests"))
                    .size() == 1);
            // Published in the same step; give the other replicas' subscriptions a moment to hear it.
            Thread.sleep(300);

            int before = upstream.received().size();
            for (int i = 0; i < 6; i++) {
                GatewayHarness gateway = gateways.get(1 + i % 2);
                assertEquals(200, gateway.post("/v1/chat/completions", CHAT).statusCode());
            }
            List<String> later = sentKeys(upstream).subList(before, upstream.received().size());
            assertEquals(6, later.size(), "no attempt of the other replicas met a 429: " + later);
            assertTrue(later.stream().allMatch("Bearer sk-second"::equals), later.toString());
        }
    }

    private static List<String> sentKeys(FakeUpstream upstream) {
        return upstream.received().stream().map(r -> r.headers().get("authorization")).toList();
    }
}
