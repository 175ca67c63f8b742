package dev.llmgateway.server;

import dev.llmgateway.testutil.FakeUpstream;
import dev.llmgateway.testutil.GatewayHarness;
import dev.llmgateway.testutil.JsonPath;
import dev.llmgateway.testutil.RawHttpClient;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The drain paths the process test cannot reach with the mock: a request whose provider has not answered by
 * drain_timeout gets 503 {@code draining} and a close, and its upstream connection is not kept.
 */
class GracefulDrainTest {
    private static final String CHAT = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    @Test
    void aRequestWithNothingSentByTheDeadlineGets503Draining() throws Exception {
        CountDownLatch released = new CountDownLatch(1);
        try (FakeUpstream upstream = new FakeUpstream(reply -> released.await(10, TimeUnit.SECONDS));
             GatewayHarness gateway = GatewayHarness.start("", GatewayHarness.openAiConfig(upstream.baseUrl(),
                     "[routing]\ndefault_provider = \"up\"\n"), Map.of());
             RawHttpClient client = new RawHttpClient(gateway.port())) {
            client.send(RawHttpClient.post("/v1/chat/completions", GatewayHarness.KEY, CHAT));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (upstream.received().isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(1, upstream.received().size(), "the request reached the provider");

            CompletableFuture<Boolean> drained = CompletableFuture.supplyAsync(() -> {
                try {
                    return gateway.drain(Duration.ofMillis(300));
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            RawHttpClient.Response response = client.read();
            assertEquals(503, response.status(), response.body());
            assertEquals("draining", JsonPath.read(response.body(), "error", "code"));
            assertEquals("close", response.headers().get("connection"));
            assertTrue(client.closedByServer());
            assertFalse(drained.get(5, TimeUnit.SECONDS), "the drain reports that it had to end a request");
            released.countDown();
        }
    }
}
