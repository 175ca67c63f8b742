package dev.llmgateway.proxy;

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
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Per-provider circuits against scripted providers on loopback: opening, skipping, half-open probe, /ready. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
@OnBothClientProtocols
class CircuitBreakerIntegrationTest {
    @Parameter
    ClientProtocol protocol;

    private static final String SOLO = "{\"model\":\"solo\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static final String FAST = "{\"model\":\"fast\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

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
        start(a, b, """
                [providers.pa]
                type = "openai_compatible"
                base_url = "%s"
                max_attempts = 1
                breaker_failures = 3
                breaker_cooldown = "400ms"

                [providers.pb]
                type = "openai_compatible"
                base_url = "%s"

                [models."solo"]
                provider = "pa"

                [models."fast"]
                provider = "pa"
                fallbacks = ["slow"]

                [models."slow"]
                provider = "pb"
                """);
    }

    /** Starts providers pa ({@code a}) and pb ({@code b}) and a gateway on {@code toml}, formatted with their URLs. */
    private void start(FakeUpstream.Script a, FakeUpstream.Script b, String toml) throws Exception {
        first = new FakeUpstream(a);
        second = new FakeUpstream(b);
        gateway = GatewayHarness.start(protocol, "[[api_keys]]\nname = \"tester\"\nkey = \"" + GatewayHarness.KEY + "\"\n\n"
                + toml.formatted(first.baseUrl(), second.baseUrl()));
    }

    private static void ok(FakeUpstream.Reply reply) {
        reply.full(200, "OK", "application/json", Fixtures.bytes("openai/chat-completion.json"));
    }

    private static void unavailable(FakeUpstream.Reply reply) {
        reply.full(503, "Service Unavailable", "application/json", Fixtures.bytes("openai/error-503-overloaded.json"));
    }

    private String ready() throws Exception {
        HttpResponse<String> response = gateway.get("/ready", null);
        assertEquals(200, response.statusCode());
        return response.body();
    }

    @Test
    void opensAfterConsecutiveFailuresThenAHalfOpenProbeClosesIt() throws Exception {
        start(CircuitBreakerIntegrationTest::unavailable, CircuitBreakerIntegrationTest::ok);
        assertEquals("{\"status\":\"ready\",\"providers\":{\"pa\":\"closed\",\"pb\":\"closed\"}}", ready());
        for (int i = 0; i < 3; i++) {
            assertEquals(503, gateway.post("/v1/chat/completions", SOLO).statusCode());
        }

        HttpResponse<String> refused = gateway.post("/v1/chat/completions", SOLO);

        assertEquals(503, refused.statusCode());
        assertEquals("upstream_circuit_open", JsonPath.read(refused.body(), "error", "code"));
        assertEquals("server_error", JsonPath.read(refused.body(), "error", "type"));
        assertEquals(3, first.received().size(), "an open circuit is not called");
        assertEquals("{\"status\":\"ready\",\"providers\":{\"pa\":\"open\",\"pb\":\"closed\"}}", ready());
        String metrics = gateway.get("/metrics", null).body();
        assertEquals(2, PrometheusText.value(metrics, "llm_upstream_circuit_state", "provider", "pa"));
        assertEquals(0, PrometheusText.value(metrics, "llm_upstream_circuit_state", "provider", "pb"));

        Thread.sleep(450);
        assertEquals("{\"status\":\"ready\",\"providers\":{\"pa\":\"half_open\",\"pb\":\"closed\"}}", ready());
        first.script(CircuitBreakerIntegrationTest::ok);
        assertEquals(200, gateway.post("/v1/chat/completions", SOLO).statusCode());
        assertEquals(4, first.received().size());
        assertEquals("{\"status\":\"ready\",\"providers\":{\"pa\":\"closed\",\"pb\":\"closed\"}}", ready());
    }

    @Test
    void aFailedProbeOpensItAgain() throws Exception {
        start(CircuitBreakerIntegrationTest::unavailable, CircuitBreakerIntegrationTest::ok);
        for (int i = 0; i < 3; i++) {
            gateway.post("/v1/chat/completions", SOLO);
        }
        Thread.sleep(450);

        assertEquals(503, gateway.post("/v1/chat/completions", SOLO).statusCode());
        assertEquals(4, first.received().size(), "one probe went through");
        HttpResponse<String> refused = gateway.post("/v1/chat/completions", SOLO);
        assertEquals("upstream_circuit_open", JsonPath.read(refused.body(), "error", "code"));
        assertEquals(4, first.received().size());
    }

    @Test
    void anOpenProviderIsSkippedForTheFallback() throws Exception {
        start(CircuitBreakerIntegrationTest::unavailable, CircuitBreakerIntegrationTest::ok);
        for (int i = 0; i < 3; i++) {
            gateway.post("/v1/chat/completions", SOLO);
        }

        HttpResponse<String> response = gateway.post("/v1/chat/completions", FAST);

        assertEquals(200, response.statusCode());
        assertEquals("pb", response.headers().firstValue("x-gateway-provider").orElseThrow());
        assertEquals(3, first.received().size(), "the open provider was skipped");
        assertEquals(1, second.received().size());
    }

    private static void serverError(FakeUpstream.Reply reply) {
        reply.full(500, "Internal Server Error", "application/json",
                Fixtures.bytes("openai/error-500-server-error.json"));
    }

    /** Two providers that fail every attempt, each with max_attempts 3 and a circuit that opens on 2 failures. */
    private void startTripping(FakeUpstream.Script a, FakeUpstream.Script b) throws Exception {
        String policy = """
                type = "openai_compatible"
                max_attempts = 3
                max_retry_delay = "20ms"
                breaker_failures = 2
                breaker_cooldown = "1m"
                """;
        start(a, b, "[providers.pa]\nbase_url = \"%s\"\n" + policy + "[providers.pb]\nbase_url = \"%s\"\n" + policy
                + "[models.\"solo\"]\nprovider = \"pa\"\n[models.\"cut\"]\nprovider = \"pb\"\n");
    }

    @Test
    void theRequestWhoseOwnFailureOpensTheCircuitGetsTheProvidersAnswer() throws Exception {
        startTripping(CircuitBreakerIntegrationTest::serverError, FakeUpstream.Reply::close);

        HttpResponse<String> tripped = gateway.post("/v1/chat/completions", SOLO);
        assertEquals(500, tripped.statusCode(), tripped.body());
        assertEquals("server_error", JsonPath.read(tripped.body(), "error", "type"));
        assertEquals(2, first.received().size(), "its second failure opened the circuit: no third attempt");

        HttpResponse<String> cutTwice = gateway.post("/v1/chat/completions",
                "{\"model\":\"cut\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertEquals(502, cutTwice.statusCode(), cutTwice.body());
        assertEquals("upstream_error", JsonPath.read(cutTwice.body(), "error", "code"));

        HttpResponse<String> arrivedOpen = gateway.post("/v1/chat/completions", SOLO);
        assertEquals(503, arrivedOpen.statusCode());
        assertEquals("upstream_circuit_open", JsonPath.read(arrivedOpen.body(), "error", "code"));
        assertEquals(2, first.received().size(), "a request arriving at an open circuit does not call it");
    }

    @Test
    void onAWeightedAliasTheRequestThatOpensACircuitMovesToTheHealthyDeployment() throws Exception {
        start(CircuitBreakerIntegrationTest::serverError, CircuitBreakerIntegrationTest::ok, """
                [providers.pa]
                type = "openai_compatible"
                base_url = "%s"
                max_attempts = 2
                max_retry_delay = "20ms"
                breaker_failures = 1
                breaker_cooldown = "1m"

                [providers.pb]
                type = "openai_compatible"
                base_url = "%s"

                [models."solo"]
                deployments = [{ provider = "pa", weight = 9 }, { provider = "pb", weight = 1 }]
                """);

        for (int i = 0; i < 60 && first.received().isEmpty(); i++) {
            HttpResponse<String> response = gateway.post("/v1/chat/completions", SOLO);
            assertEquals(200, response.statusCode(), response.body());
            assertEquals("pb", response.headers().firstValue("x-gateway-provider").orElseThrow());
        }
        assertEquals(1, first.received().size(), "pa was picked once; its failure opened its circuit");

        for (int i = 0; i < 5; i++) {
            assertEquals(200, gateway.post("/v1/chat/completions", SOLO).statusCode());
        }
        assertEquals(1, first.received().size(), "pa's open circuit is skipped");
    }
}
