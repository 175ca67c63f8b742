package dev.llmgateway.upstream;

import dev.llmgateway.testutil.FaultyProvider;
import dev.llmgateway.testutil.FaultyProvider.Bytes;
import dev.llmgateway.testutil.Fixtures;
import dev.llmgateway.testutil.GatewayHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Idle pooled connections are closed once {@code pool_idle_timeout} has passed, with no request coming to find
 * them stale: the provider sees its connections closed.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class PoolIdleTimeoutIntegrationTest {
    private static final int CONNECTIONS = 4;
    private static final String CHAT = "{\"model\":\"fast\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    @Test
    void idleConnectionsCloseOnTimeWithoutTraffic() throws Exception {
        // Every request waits until all have arrived, so each holds a connection of its own.
        CountDownLatch allArrived = new CountDownLatch(CONNECTIONS);
        byte[] answer = Bytes.withLength(200, "application/json", Fixtures.bytes("openai/chat-completion.json"));
        try (FaultyProvider provider = new FaultyProvider((request, out) -> {
            allArrived.countDown();
            allArrived.await(5, TimeUnit.SECONDS);
            out.send(answer);
        }); GatewayHarness gateway = GatewayHarness.start(GatewayHarness.openAiConfig(provider.baseUrl(), """
                pool_idle_timeout = "300ms"

                [models."fast"]
                provider = "up"
                """))) {
            List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
            for (int i = 0; i < CONNECTIONS; i++) {
                calls.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return gateway.postAlone("/v1/chat/completions", CHAT);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }));
            }
            for (CompletableFuture<HttpResponse<String>> call : calls) {
                assertEquals(200, call.get(10, TimeUnit.SECONDS).statusCode());
            }
            assertEquals(CONNECTIONS, provider.connectionsAccepted());

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (provider.openConnections() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(0, provider.openConnections(), "idle connections outlived pool_idle_timeout");
            assertTrue(provider.scriptFailures().isEmpty(), provider.scriptFailures().toString());
        }
    }
}
