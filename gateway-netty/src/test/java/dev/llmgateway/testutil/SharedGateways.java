package dev.llmgateway.testutil;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Several gateways in one test sharing one Redis ({@code [shared]}), as replicas behind a load balancer would: the
 * same config for each, one event loop each; and the requests a test sends them with a chosen gateway key.
 */
public final class SharedGateways implements AutoCloseable {
    private final List<GatewayHarness> gateways;

    private SharedGateways(List<GatewayHarness> gateways) {
        this.gateways = gateways;
    }

    /**
     * Starts {@code count} gateways on {@link GatewayHarness#openAiConfig} plus {@code toml} (keys, routing) and
     * {@code [shared]} for {@code redis} with the given {@code timeout} and {@code onUnavailable}.
     */
    public static SharedGateways start(int count, String upstreamBaseUrl, String toml, RedisServer redis,
                                       String timeout, String onUnavailable) throws Exception {
        String config = GatewayHarness.openAiConfig(upstreamBaseUrl, toml + """

                [shared]
                redis_url = "%s"
                timeout = "%s"
                on_unavailable = "%s"
                """.formatted(redis.url(), timeout, onUnavailable));
        List<GatewayHarness> started = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                started.add(GatewayHarness.start("", config, Map.of()));
            }
        } catch (Exception | Error e) {
            started.forEach(GatewayHarness::close);
            throw e;
        }
        SharedGateways shared = new SharedGateways(started);
        for (GatewayHarness gateway : started) {
            await("the gateway's shared state is up", () -> gateway.get("/ready", null).body()
                    .contains("\"shared_state\":\"up\""));
        }
        return shared;
    }

    public GatewayHarness get(int index) {
        return gateways.get(index);
    }

    public int size() {
        return gateways.size();
    }

    public List<GatewayHarness> all() {
        return gateways;
    }

    public static HttpRequest.Builder post(GatewayHarness gateway, String key, String body) {
        return gateway.request("/v1/chat/completions")
                .header("authorization", "Bearer " + key)
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
    }

    public static HttpResponse<String> send(GatewayHarness gateway, String key, String body) throws Exception {
        return gateway.client().send(post(gateway, key, body).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A condition a test waits for; may throw, as requests do. */
    public interface Check {
        boolean holds() throws Exception;
    }

    /** Waits (up to 10 s) until {@code check} holds. */
    public static void await(String what, Check check) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!check.holds()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting until " + what);
            }
            Thread.sleep(20);
        }
    }

    @Override
    public void close() {
        gateways.forEach(GatewayHarness::close);
    }
}
