package dev.llmgateway.auth;

import dev.llmgateway.testutil.FakeUpstream;
import dev.llmgateway.testutil.Fixtures;
import dev.llmgateway.testutil.RedisServer;
import dev.llmgateway.testutil.SharedGateways;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.llmgateway.testutil.SharedGateways.await;
import static dev.llmgateway.testutil.SharedGateways.send;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Many clients on four replicas sharing one Redis, a fixed seed and a bounded count: no key gets past a limit by
 * more than the requests already in flight when it was reached. Requests per minute and concurrency (as the
 * provider sees it) are never passed at all; a budget by at most the requests in flight; every admitted request's
 * tokens are charged exactly once.
 */
class SharedLimitsRandomizedTest {
    private static final long SEED = 20_261_207L;
    private static final int CLIENTS = 16;
    private static final int REQUESTS_PER_CLIENT = 30;
    private static final int TOKENS_PER_ANSWER = 32;
    private static final Pattern MODEL = Pattern.compile("\"model\":\"(m-[a-z]+)\"");
    private static final Pattern DELAY = Pattern.compile("wait (\\d+)");
    /** key name → requests per minute, max concurrent, token budget (0: none). */
    private static final Map<String, long[]> LIMITS = Map.of(
            "r", new long[] {40, 0, 0},
            "c", new long[] {0, 3, 0},
            "b", new long[] {0, 0, 320},
            "m", new long[] {25, 2, 640});

    private final Map<String, AtomicInteger> upstreamNow = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> upstreamMost = new ConcurrentHashMap<>();

    /** Answers after the wait the client chose, counting each key's requests the provider holds at once. */
    private void answer(FakeUpstream.Reply reply) throws Exception {
        String body = reply.request().body();
        Matcher model = MODEL.matcher(body);
        Matcher delay = DELAY.matcher(body);
        String key = model.find() ? model.group(1) : "none";
        AtomicInteger now = upstreamNow.computeIfAbsent(key, k -> new AtomicInteger());
        int holding = now.incrementAndGet();
        upstreamMost.computeIfAbsent(key, k -> new AtomicInteger()).accumulateAndGet(holding, Math::max);
        Thread.sleep(delay.find() ? Long.parseLong(delay.group(1)) : 0);
        now.decrementAndGet();
        reply.full(200, "OK", "application/json", Fixtures.bytes("openai/chat-completion.json"));
    }

    private static String keys() {
        StringBuilder toml = new StringBuilder();
        LIMITS.forEach((name, limits) -> toml.append("""
                [[api_keys]]
                name = "%s"
                key = "%s-key-0123456789"
                requests_per_minute = %d
                max_concurrent = %d
                token_budget = %d

                """.formatted(name, name, limits[0], limits[1], limits[2])));
        return toml.append("[routing]\ndefault_provider = \"up\"\n").toString();
    }

    @Test
    void manyClientsOnFourReplicasNeverOvershootBeyondWhatWasInFlight() throws Exception {
        List<String> names = List.of("b", "c", "m", "r");
        Map<String, AtomicInteger> admitted = new ConcurrentHashMap<>();
        Map<String, AtomicInteger> attempted = new ConcurrentHashMap<>();
        try (RedisServer redis = RedisServer.start();
             FakeUpstream upstream = new FakeUpstream(this::answer);
             SharedGateways gateways = SharedGateways.start(4, upstream.baseUrl(), keys(), redis, "2s", "local")) {
            ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
            long started = System.nanoTime();
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int c = 0; c < CLIENTS; c++) {
                    Random random = new Random(SEED + c);
                    done.add(clients.submit(() -> {
                        for (int i = 0; i < REQUESTS_PER_CLIENT; i++) {
                            String key = names.get(random.nextInt(names.size()));
                            String body = "{\"model\":\"m-" + key + "\",\"messages\":[{\"role\":\"user\","
                                    + "\"content\":\"wait " + random.nextInt(25) + "\"}]}";
                            int status = send(gateways.get(random.nextInt(gateways.size())), key + "-key-0123456789",
                                    body).statusCode();
                            attempted.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
                            if (status == 200) {
                                admitted.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
                            } else {
                                assertEquals(429, status);
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> client : done) {
                    client.get(60, TimeUnit.SECONDS);
                }
            } finally {
                clients.shutdownNow();
            }
            assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(50),
                    "the run must stay within one sliding minute for the per-minute counts to be exact");

            int r = count(admitted, "r");
            assertEquals(Math.min(40, count(attempted, "r")), r, "requests per minute: exactly the limit");
            assertTrue(count(upstreamMost, "m-c") <= 3, "the provider never held more than 3 of key c: "
                    + upstreamMost);
            assertTrue(count(upstreamMost, "m-m") <= 2, "nor more than 2 of key m: " + upstreamMost);
            int b = count(admitted, "b");
            int budgetFits = 320 / TOKENS_PER_ANSWER;
            assertTrue(b >= Math.min(budgetFits, count(attempted, "b")), "the budget is usable: " + b);
            assertTrue(b <= budgetFits + CLIENTS - 1, "passed by at most the requests in flight: " + b);
            int m = count(admitted, "m");
            assertTrue(m <= 25, "key m's requests per minute: " + m);
            for (String key : names) {
                int charged = count(admitted, key) * TOKENS_PER_ANSWER;
                String expected = charged == 0 ? "null" : String.valueOf(charged);
                await("key " + key + "'s " + charged + " tokens charged", () -> expected.equals(
                        String.valueOf(redis.command("HGET", "llm-gateway:{" + key + "}:budget", "du"))));
            }
            await("every slot is back", () -> Long.valueOf(0).equals(redis.command("ZCARD", "llm-gateway:{c}:slots"))
                    && Long.valueOf(0).equals(redis.command("ZCARD", "llm-gateway:{m}:slots")));
        }
    }

    private static int count(Map<String, AtomicInteger> counts, String key) {
        AtomicInteger count = counts.get(key);
        return count == null ? 0 : count.get();
    }
}
