package dev.llmgateway.auth;

import dev.llmgateway.testutil.FakeUpstream;
import dev.llmgateway.testutil.Fixtures;
import dev.llmgateway.testutil.GatewayHarness;
import dev.llmgateway.testutil.JsonPath;
import dev.llmgateway.testutil.RedisServer;
import dev.llmgateway.testutil.SharedGateways;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static dev.llmgateway.testutil.SharedGateways.await;
import static dev.llmgateway.testutil.SharedGateways.post;
import static dev.llmgateway.testutil.SharedGateways.send;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three gateways sharing one Redis hold one key to one set of limits: requests per minute exactly, a token budget
 * charged from streams' exact usage, concurrency slots held and given back across replicas.
 */
class SharedKeyLimitsIntegrationTest {
    static final String CHAT = "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    static final String STREAM = "{\"model\":\"gpt-4o\",\"stream\":true,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    /** Held by the provider after its first event until {@link #release} opens. */
    static final String HELD_STREAM = STREAM.replace("\"hi\"", "\"hold\"");
    /** The usage the provider's stream and body report: 24 input + 8 output tokens. */
    static final int TOKENS_PER_ANSWER = 32;
    static final String EVENTS = new String(Fixtures.bytes("openai/chat-completion-stream.sse"),
            StandardCharsets.UTF_8);

    private static RedisServer redis;
    private static FakeUpstream upstream;
    private static volatile CountDownLatch release = new CountDownLatch(0);
    private static SharedGateways gateways;

    @BeforeAll
    static void start() throws Exception {
        redis = RedisServer.start();
        upstream = new FakeUpstream(SharedKeyLimitsIntegrationTest::answer);
        gateways = SharedGateways.start(3, upstream.baseUrl(), """
                    [[api_keys]]
                    name = "rpm"
                    key = "rpm-key-0123456789"
                    requests_per_minute = 30

                    [[api_keys]]
                    name = "budget"
                    key = "budget-key-0123456789"
                    token_budget = 100

                    [[api_keys]]
                    name = "conc"
                    key = "conc-key-0123456789"
                    max_concurrent = 2

                    [routing]
                    default_provider = "up"
                    """, redis, "2s", "local");
    }

    /** JSON or a stream (of fixed usage), a held stream waiting for {@link #release}. */
    static void answer(FakeUpstream.Reply reply) throws Exception {
        String body = reply.request().body();
        if (!body.contains("\"stream\":true")) {
            reply.full(200, "OK", "application/json", Fixtures.bytes("openai/chat-completion.json"));
            return;
        }
        int firstEventEnd = EVENTS.indexOf("\n\n") + 2;
        reply.head(200, "OK", true, "content-type", "text/event-stream");
        reply.body(EVENTS.substring(0, firstEventEnd));
        if (body.contains("hold")) {
            release.await(20, TimeUnit.SECONDS);
        }
        reply.body(EVENTS.substring(firstEventEnd));
        reply.end();
    }

    @AfterAll
    static void stop() throws Exception {
        gateways.close();
        upstream.close();
        redis.close();
    }

    static void assertRefused(HttpResponse<String> response, String type, String says) {
        assertEquals(429, response.statusCode(), response.body());
        assertEquals("rate_limit_exceeded", JsonPath.read(response.body(), "error", "code"));
        assertEquals(type, JsonPath.read(response.body(), "error", "type"));
        assertTrue(JsonPath.read(response.body(), "error", "message").toString().contains(says), response.body());
        long retryAfter = Long.parseLong(response.headers().firstValue("retry-after").orElseThrow());
        assertTrue(retryAfter >= 1, "Retry-After " + retryAfter);
    }

    @Test
    void thirtyRequestsAMinuteAreThirtyOfNinetyAcrossThreeReplicas() throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(9);
        try {
            List<Future<Integer>> statuses = new ArrayList<>();
            for (int i = 0; i < 90; i++) {
                GatewayHarness gateway = gateways.get(i % 3);
                statuses.add(clients.submit(() -> send(gateway, "rpm-key-0123456789", CHAT).statusCode()));
            }
            int admitted = 0;
            int refused = 0;
            for (Future<Integer> status : statuses) {
                int code = status.get(30, TimeUnit.SECONDS);
                admitted += code == 200 ? 1 : 0;
                refused += code == 429 ? 1 : 0;
            }
            assertEquals(30, admitted);
            assertEquals(60, refused);
        } finally {
            clients.shutdownNow();
        }
        assertRefused(send(gateways.get(1), "rpm-key-0123456789", CHAT), "requests", "30 requests per minute");
        assertEquals(200, send(gateways.get(1), GatewayHarness.KEY, CHAT).statusCode(), "a key without limits");
        assertEquals("30", redis.command("HGET", "llm-gateway:{rpm}:requests", "t"), "only admitted requests count");
    }

    @Test
    void aTokenBudgetHoldsAcrossReplicasChargedFromStreamsUsage() throws Exception {
        int admitted = 0;
        for (int i = 0; i < 6; i++) {
            HttpResponse<String> response = send(gateways.get(i % 3), "budget-key-0123456789", STREAM);
            if (response.statusCode() != 200) {
                assertRefused(response, "tokens", "token budget");
                continue;
            }
            assertTrue(response.body().contains("[DONE]"));
            admitted++;
            int charged = admitted * TOKENS_PER_ANSWER;
            // The exchange ends, and is charged, just after its last bytes reach the client.
            await(charged + " tokens charged", () -> String.valueOf(charged).equals(
                    redis.command("HGET", "llm-gateway:{budget}:budget", "du")));
        }
        assertEquals(4, admitted, "0, 32, 64 and 96 tokens used are under the budget of 100; 128 is not");
    }

    @Test
    void concurrencySlotsAreHeldAcrossReplicasAndGivenBackHoweverRequestsEnd() throws Exception {
        release = new CountDownLatch(1);
        HttpResponse<InputStream> first = gateways.get(0).client().send(post(gateways.get(0),
                "conc-key-0123456789", HELD_STREAM).build(), HttpResponse.BodyHandlers.ofInputStream());
        HttpResponse<InputStream> second = gateways.get(1).client().send(post(gateways.get(1),
                "conc-key-0123456789", HELD_STREAM).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, first.statusCode());
        assertEquals(200, second.statusCode());
        assertRefused(send(gateways.get(2), "conc-key-0123456789", CHAT), "requests", "2 requests in flight");

        // The client of the first stream goes away: its slot comes back.
        first.body().close();
        await("the cancelled stream's slot is back", () -> send(gateways.get(2), "conc-key-0123456789", CHAT)
                .statusCode() == 200);
        release.countDown();
        second.body().readAllBytes();
        await("every slot is back", () -> Long.valueOf(0).equals(redis.command("ZCARD",
                "llm-gateway:{conc}:slots")));
    }
}
