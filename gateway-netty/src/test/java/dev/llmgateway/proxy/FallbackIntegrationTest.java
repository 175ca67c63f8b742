package dev.llmgateway.proxy;

import dev.llmgateway.config.ConfigException;
import dev.llmgateway.config.ConfigLoader;
import dev.llmgateway.testutil.ClientProtocol;
import dev.llmgateway.testutil.FakeUpstream;
import dev.llmgateway.testutil.Fixtures;
import dev.llmgateway.testutil.GatewayHarness;
import dev.llmgateway.testutil.JsonPath;
import dev.llmgateway.testutil.OnBothClientProtocols;
import dev.llmgateway.testutil.PrometheusText;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.Parameter;

import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Fallback chains across two scripted providers on loopback: when a route's attempts are used up, the next alias. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
@OnBothClientProtocols
class FallbackIntegrationTest {
    @Parameter
    ClientProtocol protocol;

    private static final String CHAT = "{\"model\":\"fast\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    private FakeUpstream first;
    private FakeUpstream second;
    private GatewayHarness gateway;

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        first.close();
        second.close();
    }

    private void start(FakeUpstream.Script a, FakeUpstream.Script b) throws Exception {
        first = new FakeUpstream(a);
        second = new FakeUpstream(b);
        gateway = GatewayHarness.start(protocol, config(first.baseUrl(), second.baseUrl(), "[\"slow\"]"));
    }

    private static String config(String aUrl, String bUrl, String fallbacks) {
        return """
                [[api_keys]]
                name = "tester"
                key = "%s"

                [providers.pa]
                type = "openai_compatible"
                base_url = "%s"
                max_attempts = 2

                [providers.pb]
                type = "openai_compatible"
                base_url = "%s"

                [models."fast"]
                provider = "pa"
                api_model = "a-model"
                fallbacks = %s

                [models."slow"]
                provider = "pb"
                api_model = "b-model"
                """.formatted(GatewayHarness.KEY, aUrl, bUrl, fallbacks);
    }

    private static void ok(FakeUpstream.Reply reply) {
        reply.full(200, "OK", "application/json", Fixtures.bytes("openai/chat-completion.json"));
    }

    private static void overloaded(FakeUpstream.Reply reply) {
        reply.full(529, "Overloaded", "application/json", Fixtures.bytes("openai/error-503-overloaded.json"));
    }

    @Test
    void overloadedUntilAttemptsRunOutFallsBackToTheNextAlias() throws Exception {
        start(FallbackIntegrationTest::overloaded, FallbackIntegrationTest::ok);

        HttpResponse<String> response = gateway.post("/v1/chat/completions", CHAT);

        assertEquals(200, response.statusCode());
        assertEquals("pb", response.headers().firstValue("x-gateway-provider").orElseThrow());
        assertEquals("b-model", response.headers().firstValue("x-gateway-model").orElseThrow());
        assertEquals("3", response.headers().firstValue("x-gateway-attempts").orElseThrow());
        assertEquals("fast", JsonPath.read(response.body(), "model"), "the client sees the model it asked for");
        assertEquals(2, first.received().size());
        assertEquals("a-model", JsonPath.read(first.last().body(), "model"));
        assertEquals(1, second.received().size());
        assertEquals("b-model", JsonPath.read(second.last().body(), "model"));
        String metrics = gateway.get("/metrics", null).body();
        assertEquals(1, PrometheusText.value(metrics, "llm_fallbacks_total", "from_model", "fast",
                "to_model", "slow"));
    }

    @Test
    void aNonRetryableAnswerIsNotFallenBackFrom() throws Exception {
        start(reply -> reply.full(429, "Too Many Requests", "application/json",
                Fixtures.bytes("openai/error-429-insufficient-quota.json")), FallbackIntegrationTest::ok);

        HttpResponse<String> response = gateway.post("/v1/chat/completions", CHAT);

        assertEquals(429, response.statusCode());
        assertEquals("pa", response.headers().firstValue("x-gateway-provider").orElseThrow());
        assertEquals(Fixtures.text("openai/error-429-insufficient-quota.json"), response.body());
        assertEquals(0, second.received().size());
    }

    @Test
    void theLastRoutesAnswerGoesOutWhenEveryRouteFails() throws Exception {
        start(FallbackIntegrationTest::overloaded, reply -> reply.full(503, "Service Unavailable",
                "application/json", Fixtures.bytes("openai/error-503-overloaded.json")));

        HttpResponse<String> response = gateway.post("/v1/chat/completions", CHAT);

        assertEquals(503, response.statusCode());
        assertEquals("pb", response.headers().firstValue("x-gateway-provider").orElseThrow());
        assertEquals(2, first.received().size());
        assertEquals(2, second.received().size(), "the fallback used its own attempts (the default, 2)");
    }

    @Test
    void fallbacksMustNameOtherEnabledAliases() throws Exception {
        first = new FakeUpstream(FallbackIntegrationTest::ok);
        second = new FakeUpstream(FallbackIntegrationTest::ok);
        for (String bad : new String[] {"[\"fast\"]", "[\"nope\"]"}) {
            ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(
                    "[server]\nport = 0\n" + config(first.baseUrl(), second.baseUrl(), bad), "t.toml", Map.of()));
            assertTrue(e.getMessage().contains("fallbacks"), e.getMessage());
        }
    }
}
