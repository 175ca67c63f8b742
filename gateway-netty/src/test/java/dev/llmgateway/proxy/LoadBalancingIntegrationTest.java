package dev.llmgateway.proxy;

import dev.llmgateway.config.ConfigException;
import dev.llmgateway.config.ConfigLoader;
import dev.llmgateway.testutil.ClientProtocol;
import dev.llmgateway.testutil.FakeUpstream;
import dev.llmgateway.testutil.Fixtures;
import dev.llmgateway.testutil.GatewayHarness;
import dev.llmgateway.testutil.JsonPath;
import dev.llmgateway.testutil.OnBothClientProtocols;
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

/** Weighted deployments of one alias over two scripted providers on loopback. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
@OnBothClientProtocols
class LoadBalancingIntegrationTest {
    @Parameter
    ClientProtocol protocol;

    private static final String CHAT = "{\"model\":\"llama\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

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

    private static String config(String aUrl, String bUrl, String deployments) {
        return """
                [[api_keys]]
                name = "tester"
                key = "%s"

                [providers.vllm1]
                type = "openai_compatible"
                base_url = "%s"
                breaker_failures = 2

                [providers.vllm2]
                type = "openai_compatible"
                base_url = "%s"

                [models."llama"]
                max_attempts = 1
                deployments = %s
                """.formatted(GatewayHarness.KEY, aUrl, bUrl, deployments);
    }

    private void start(FakeUpstream.Script a, FakeUpstream.Script b, String deployments) throws Exception {
        first = new FakeUpstream(a);
        second = new FakeUpstream(b);
        gateway = GatewayHarness.start(protocol, config(first.baseUrl(), second.baseUrl(), deployments));
    }

    private static void ok(FakeUpstream.Reply reply) {
        reply.full(200, "OK", "application/json", Fixtures.bytes("openai/chat-completion.json"));
    }

    @Test
    void weightsThreeToOneSplitTheTrafficThreeToOne() throws Exception {
        start(LoadBalancingIntegrationTest::ok, LoadBalancingIntegrationTest::ok,
                "[{ provider = \"vllm1\", api_model = \"llama-a\", weight = 3 }, { provider = \"vllm2\", weight = 1 }]");

        for (int i = 0; i < 400; i++) {
            HttpResponse<String> response = gateway.post("/v1/chat/completions", CHAT);
            assertEquals(200, response.statusCode());
            assertEquals("llama", JsonPath.read(response.body(), "model"));
        }

        int one = first.received().size();
        int two = second.received().size();
        System.out.println("weights 3:1 over 400 requests: vllm1 " + one + ", vllm2 " + two);
        assertEquals(400, one + two);
        assertTrue(one >= 270 && one <= 330, "vllm1 got " + one);
        assertEquals("llama-a", JsonPath.read(first.last().body(), "model"));
        assertEquals("llama", JsonPath.read(second.last().body(), "model"), "api_model defaults to the alias");
    }

    @Test
    void aDeploymentWithAnOpenCircuitIsSkipped() throws Exception {
        start(reply -> reply.full(503, "Service Unavailable", "application/json",
                        Fixtures.bytes("openai/error-503-overloaded.json")), LoadBalancingIntegrationTest::ok,
                "[{ provider = \"vllm1\" }, { provider = \"vllm2\" }]");

        int served = 0;
        for (int i = 0; i < 40; i++) {
            HttpResponse<String> response = gateway.post("/v1/chat/completions", CHAT);
            if (response.statusCode() == 200) {
                served++;
                assertEquals("vllm2", response.headers().firstValue("x-gateway-provider").orElseThrow());
            }
        }

        assertEquals(2, first.received().size(), "two failures opened vllm1's circuit; it was not called again");
        assertEquals(39, served, "the request whose failure opened the circuit moved on to vllm2");
    }

    @Test
    void eachDeploymentServesUnderItsOwnProvidersPolicy() throws Exception {
        // Eight times hasty's first-byte timeout: a loaded machine's late timer still fires before the answer.
        FakeUpstream.Script slowOk = reply -> {
            Thread.sleep(1200);
            ok(reply);
        };
        first = new FakeUpstream(slowOk);
        second = new FakeUpstream(slowOk);
        // patient waits out the slow answer on one attempt; hasty gives up on it after 150 ms, three times. The
        // alias overrides only the retry delay, which both keep.
        gateway = GatewayHarness.start(protocol, """
                [[api_keys]]
                name = "tester"
                key = "%s"

                [providers.patient]
                type = "openai_compatible"
                base_url = "%s"
                first_byte_timeout = "3s"
                max_attempts = 1

                [providers.hasty]
                type = "openai_compatible"
                base_url = "%s"
                first_byte_timeout = "150ms"
                max_attempts = 3
                breaker_failures = 1000

                [models."llama"]
                max_retry_delay = "10ms"
                deployments = [{ provider = "patient" }, { provider = "hasty" }]
                """.formatted(GatewayHarness.KEY, first.baseUrl(), second.baseUrl()));

        int patientServed = 0;
        int hastyTimedOut = 0;
        for (int i = 0; i < 24 && (patientServed < 2 || hastyTimedOut < 2); i++) {
            int hastyBefore = second.received().size();
            HttpResponse<String> response = gateway.post("/v1/chat/completions", CHAT);
            if (second.received().size() > hastyBefore) {
                assertEquals(504, response.statusCode(), response.body());
                assertEquals(hastyBefore + 3, second.received().size(), "hasty's own max_attempts");
                hastyTimedOut++;
            } else {
                assertEquals(200, response.statusCode(), response.body());
                patientServed++;
            }
        }
        assertTrue(patientServed >= 2 && hastyTimedOut >= 2,
                "both deployments served: patient " + patientServed + ", hasty " + hastyTimedOut);
    }

    @Test
    void deploymentsAreAnAlternativeToProvider() throws Exception {
        first = new FakeUpstream(LoadBalancingIntegrationTest::ok);
        second = new FakeUpstream(LoadBalancingIntegrationTest::ok);
        String both = config(first.baseUrl(), second.baseUrl(), "[{ provider = \"vllm1\" }]")
                .replace("max_attempts = 1", "provider = \"vllm2\"");
        String badWeight = config(first.baseUrl(), second.baseUrl(), "[{ provider = \"vllm1\", weight = 0 }]");
        String unknown = config(first.baseUrl(), second.baseUrl(), "[{ provider = \"vllm9\" }]");
        for (String bad : new String[] {both, badWeight, unknown}) {
            ConfigException e = assertThrows(ConfigException.class,
                    () -> ConfigLoader.parse("[server]\nport = 0\n" + bad, "t.toml", Map.of()));
            assertTrue(e.getMessage().contains("deployments") || e.getMessage().contains("provider"),
                    e.getMessage());
        }
    }
}
