package dev.llmgateway.server;

import dev.llmgateway.Gateway;
import dev.llmgateway.testutil.FakeUpstream;
import dev.llmgateway.testutil.Fixtures;
import dev.llmgateway.testutil.GatewayHarness;
import dev.llmgateway.testutil.GatewayProcess;
import dev.llmgateway.testutil.RedisServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static dev.llmgateway.testutil.SharedGateways.send;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A replica killed (SIGKILL) while it holds a key's only concurrency slot: the slot stays taken, on every other
 * replica, until its lease ends, then frees; never longer.
 */
class SharedSlotLeaseTest {
    private static final String CHAT = "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    @Test
    void theSlotOfAKilledReplicaFreesWhenItsLeaseEnds(@TempDir Path dir) throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        String events = new String(Fixtures.bytes("openai/chat-completion-stream.sse"), StandardCharsets.UTF_8);
        try (RedisServer redis = RedisServer.start();
             FakeUpstream upstream = new FakeUpstream(reply -> {
                 if (!reply.request().body().contains("\"stream\":true")) {
                     reply.full(200, "OK", "application/json", Fixtures.bytes("openai/chat-completion.json"));
                     return;
                 }
                 reply.head(200, "OK", true, "content-type", "text/event-stream");
                 reply.body(events.substring(0, events.indexOf("\n\n") + 2));
                 never.await(30, TimeUnit.SECONDS);
             })) {
            String toml = GatewayHarness.openAiConfig(upstream.baseUrl(), """
                    [[api_keys]]
                    name = "one"
                    key = "one-key-0123456789"
                    max_concurrent = 1

                    [routing]
                    default_provider = "up"

                    [shared]
                    redis_url = "%s"
                    timeout = "2s"
                    slot_lease = "2s"
                    """.formatted(redis.url()));
            Path config = Files.writeString(dir.resolve("config.toml"), """
                    [server]
                    host = "127.0.0.1"
                    port = 0
                    io_threads = 1
                    warmup_requests = 0

                    [access_log]
                    enabled = false
                    """ + toml);
            try (GatewayProcess doomed = new GatewayProcess(Gateway.class, dir, config);
                 GatewayHarness survivor = GatewayHarness.start("", toml, Map.of())) {
                HttpResponse<InputStream> held = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + doomed.port() + "/v1/chat/completions"))
                        .timeout(Duration.ofSeconds(20))
                        .header("authorization", "Bearer one-key-0123456789")
                        .header("content-type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(CHAT.replace("\"hi\"}]", "\"hi\"}],\"stream\":true")))
                        .build(), HttpResponse.BodyHandlers.ofInputStream());
                assertEquals(200, held.statusCode(), doomed.output());
                assertEquals(429, send(survivor, "one-key-0123456789", CHAT).statusCode(), "the slot is taken");

                doomed.signal("KILL");
                long killed = System.nanoTime();
                assertEquals(429, send(survivor, "one-key-0123456789", CHAT).statusCode(),
                        "a dead replica's slot is not freed by its death, only by its lease");
                int status;
                do {
                    Thread.sleep(100);
                    status = send(survivor, "one-key-0123456789", CHAT).statusCode();
                } while (status == 429 && System.nanoTime() - killed < TimeUnit.SECONDS.toNanos(10));
                long freedAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
                assertEquals(200, status, "the slot freed");
                assertTrue(freedAfter <= 4000, "within the 2 s lease (and the polling's slack): " + freedAfter + " ms");
                held.body().close();
            } finally {
                never.countDown();
            }
        }
    }
}
