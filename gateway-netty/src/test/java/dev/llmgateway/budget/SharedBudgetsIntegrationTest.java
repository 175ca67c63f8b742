package dev.llmgateway.budget;

import dev.llmgateway.testutil.FakeUpstream;
import dev.llmgateway.testutil.GatewayHarness;
import dev.llmgateway.testutil.JsonPath;
import dev.llmgateway.testutil.RawHttpClient;
import dev.llmgateway.testutil.RedisServer;
import dev.llmgateway.testutil.SharedGateways;
import io.prometheus.client.Collector;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static dev.llmgateway.testutil.SharedGateways.await;
import static dev.llmgateway.testutil.SharedGateways.send;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * USD budgets shared by three gateways through one real Redis ({@code [shared]}): concurrent first requests spread
 * across the replicas cannot together pass a key's or a team's budget, spend settles to the exact sum and outlives
 * the gateways, Redis going away meets {@code on_unavailable}, and a client that leaves while its reservation is
 * being decided ends cancelled with nothing left reserved.
 */
class SharedBudgetsIntegrationTest {
    /** The prices, body and answer of {@link BudgetIntegrationTest}: $1/M in, $2/M out; 10 in, 5 out. */
    private static final String ROUTING = """

            [routing]
            default_provider = "up"
            """ + BudgetIntegrationTest.PRICES;
    private static final String BODY = BudgetIntegrationTest.BODY;
    /** The prompt at bytes / 3 tokens × $1/M + max_tokens 100 × $2/M. */
    private static final long WORST_PICOS = (BODY.length() + 2) / 3 * 1_000_000L + 100 * 2_000_000L;
    private static final String ANSWER = BudgetIntegrationTest.ANSWER;
    private static final long ANSWER_PICOS = BudgetIntegrationTest.ANSWER_PICOS;

    @Test
    void fiftyConcurrentFirstRequestsOnThreeReplicasAgainstTenWorstCasesAdmitTenAndSpendTheExactSum()
            throws Exception {
        String keys = key("alone", "budget_usd = " + usd(10 * WORST_PICOS));
        CountDownLatch release = new CountDownLatch(1);
        try (RedisServer redis = RedisServer.start();
             FakeUpstream upstream = new FakeUpstream(heldAnswer(release));
             SharedGateways gateways = SharedGateways.start(3, upstream.baseUrl(), keys + ROUTING, redis, "2s",
                     "local")) {
            assertEquals(10, concurrentFirstRequests(gateways, upstream, release, 50, "alone"),
                    "ten worst cases fit across the replicas, and no more");
            await("every reservation settled", () -> reserved(redis, "key", "alone") == 0);
            assertEquals(10 * ANSWER_PICOS, spent(redis, "key", "alone"),
                    "spend is the exact sum of the costs of the provider's usage, whichever replica served");
        }
    }

    @Test
    void aTeamBudgetIsHeldAcrossReplicasAndKeys() throws Exception {
        String keys = """
                [[teams]]
                name = "research"
                budget_usd = %s

                """.formatted(usd(4 * WORST_PICOS))
                + key("one", "team = \"research\"") + key("two", "team = \"research\"");
        CountDownLatch release = new CountDownLatch(1);
        try (RedisServer redis = RedisServer.start();
             FakeUpstream upstream = new FakeUpstream(heldAnswer(release));
             SharedGateways gateways = SharedGateways.start(3, upstream.baseUrl(), keys + ROUTING, redis, "2s",
                     "local")) {
            assertEquals(4, concurrentFirstRequests(gateways, upstream, release, 24, "one", "two"),
                    "the team's four worst cases, whichever key and replica asked");
            await("every reservation settled", () -> reserved(redis, "team", "research") == 0);
            assertEquals(4 * ANSWER_PICOS, spent(redis, "team", "research"));
        }
    }

    @Test
    void spendOutlivesTheGatewaysThatCountedIt() throws Exception {
        // One worst case fits; after one answer's spend, what is left is a microdollar (the finest budget) short
        // of another.
        String keys = key("once", "budget_usd = " + usd(WORST_PICOS + ANSWER_PICOS - 1_000_000L));
        try (RedisServer redis = RedisServer.start();
             FakeUpstream upstream = new FakeUpstream(answer())) {
            try (SharedGateways first = SharedGateways.start(2, upstream.baseUrl(), keys + ROUTING, redis, "2s",
                    "local")) {
                assertEquals(200, send(first.get(0), "once-key-0123456789", BODY).statusCode());
                await("settled", () -> spent(redis, "key", "once") == ANSWER_PICOS);
                assertBudgetExceeded(send(first.get(1), "once-key-0123456789", BODY));
            }
            try (SharedGateways restarted = SharedGateways.start(1, upstream.baseUrl(), keys + ROUTING, redis,
                    "2s", "local")) {
                assertBudgetExceeded(send(restarted.get(0), "once-key-0123456789", BODY));
                assertEquals(ANSWER_PICOS, spent(redis, "key", "once"));
                assertEquals(1, upstream.received().size(), "only the first request reached the provider");
            }
        }
    }

    @Test
    void withRedisGoneLocalServesPerReplicaAndDenyAnswers503InTheClientsShape() throws Exception {
        String keys = key("spender", "budget_usd = 1");
        try (RedisServer redis = RedisServer.start();
             FakeUpstream upstream = new FakeUpstream(answer());
             SharedGateways local = SharedGateways.start(2, upstream.baseUrl(), keys + ROUTING, redis, "2s",
                     "local");
             SharedGateways deny = SharedGateways.start(1, upstream.baseUrl(), keys + ROUTING, redis, "2s",
                     "deny")) {
            redis.kill();
            for (GatewayHarness gateway : List.of(local.get(0), local.get(1), deny.get(0))) {
                await("/ready says the shared state is down", () -> gateway.get("/ready", null).body()
                        .contains("\"shared_state\":\"down\""));
            }
            for (GatewayHarness gateway : local.all()) {
                assertEquals(200, send(gateway, "spender-key-0123456789", BODY).statusCode(),
                        "reserved on the replica's own ledger");
                assertTrue(sample(gateway, "llm_shared_state_fallbacks_total", "reason", "unreachable") >= 1,
                        "the fallback is counted");
            }
            HttpResponse<String> denied = send(deny.get(0), "spender-key-0123456789", BODY);
            assertEquals(503, denied.statusCode(), denied.body());
            assertEquals("limits_unavailable", JsonPath.read(denied.body(), "error", "code"));
            assertEquals("1", denied.headers().firstValue("retry-after").orElse(null));
            assertEquals(2, upstream.received().size(), "the denied request never reached the provider");
        }
    }

    @Test
    void aClientThatLeavesWhileItsReservationIsDecidedEndsCancelledAndHoldsNothing() throws Exception {
        String keys = key("leaver", "budget_usd = 1");
        try (RedisServer redis = RedisServer.start();
             FakeUpstream upstream = new FakeUpstream(answer());
             SharedGateways gateways = SharedGateways.start(1, upstream.baseUrl(), keys + ROUTING, redis, "5s",
                     "local")) {
            GatewayHarness gateway = gateways.get(0);
            redis.pause(); // the reservation's answer waits
            try (RawHttpClient client = new RawHttpClient(gateway.port())) {
                client.send(RawHttpClient.post("/v1/chat/completions", "leaver-key-0123456789", BODY));
                Thread.sleep(300); // the request reaches the budget stage and waits there
            }
            Thread.sleep(300); // the gateway sees the connection close
            redis.resume(); // Redis reserves after all: the gateway must give it back
            await("the exchange ended as cancelled", () -> status(gateway, "499") == 1);
            await("the reservation was given back", () -> reserved(redis, "key", "leaver") == 0
                    && ((Long) redis.command("ZCARD", "llm-gateway:usd:key:leaver:day:held")) == 0);
            assertEquals(0, upstream.received().size(), "nothing went upstream for a client that left");
            assertEquals(0, spent(redis, "key", "leaver"));
        }
    }

    private static String key(String name, String lines) {
        return """
                [[api_keys]]
                name = "%s"
                key = "%s-key-0123456789"
                %s

                """.formatted(name, name, lines);
    }

    private static String usd(long picos) {
        return BigDecimal.valueOf(picos).movePointLeft(12).toPlainString();
    }

    private static FakeUpstream.Script answer() {
        return reply -> reply.full(200, "OK", "application/json", ANSWER.getBytes(StandardCharsets.UTF_8));
    }

    private static FakeUpstream.Script heldAnswer(CountDownLatch release) {
        return reply -> {
            // Held until every request has had its verdict, so the admitted ones are all in flight together.
            release.await(20, TimeUnit.SECONDS);
            reply.full(200, "OK", "application/json", ANSWER.getBytes(StandardCharsets.UTF_8));
        };
    }

    /** Sends {@code count} requests at once, round-robin over the replicas and {@code keyNames}; the 200s. */
    private static int concurrentFirstRequests(SharedGateways gateways, FakeUpstream upstream,
                                               CountDownLatch release, int count, String... keyNames)
            throws Exception {
        List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            GatewayHarness gateway = gateways.get(i % gateways.size());
            calls.add(gateway.client().sendAsync(SharedGateways.post(gateway,
                    keyNames[i % keyNames.length] + "-key-0123456789", BODY).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        await("every request was admitted or refused", () -> upstream.received().size()
                + (int) calls.stream().filter(CompletableFuture::isDone).count() >= count);
        release.countDown();
        int admitted = 0;
        for (CompletableFuture<HttpResponse<String>> call : calls) {
            HttpResponse<String> response = call.get(20, TimeUnit.SECONDS);
            if (response.statusCode() == 200) {
                admitted++;
            } else {
                assertBudgetExceeded(response);
            }
        }
        assertEquals(admitted, upstream.received().size(), "the refused never reached the provider");
        return admitted;
    }

    private static void assertBudgetExceeded(HttpResponse<String> response) {
        assertEquals(429, response.statusCode(), response.body());
        assertEquals("budget_exceeded", JsonPath.read(response.body(), "error", "code"));
        assertTrue(response.headers().firstValue("retry-after").isPresent());
    }

    private static String budgetKey(String scope, String name) {
        return "llm-gateway:usd:" + scope + ":" + name + ":day:spend";
    }

    /** What the budget's reservations hold in Redis. */
    private static long reserved(RedisServer redis, String scope, String name) throws Exception {
        Object reserved = redis.command("HGET", budgetKey(scope, name), "r");
        return reserved == null ? 0 : Long.parseLong((String) reserved);
    }

    /** The budget's settled spend in Redis: the sum of its period buckets. */
    private static long spent(RedisServer redis, String scope, String name) throws Exception {
        List<?> fields = (List<?>) redis.command("HGETALL", budgetKey(scope, name));
        long spent = 0;
        for (int i = 0; i + 1 < fields.size(); i += 2) {
            if (!"r".equals(fields.get(i))) {
                spent += Long.parseLong((String) fields.get(i + 1));
            }
        }
        return spent;
    }

    private static double sample(GatewayHarness gateway, String name, String label, String value) {
        Double sample = gateway.server().metrics().registry().getSampleValue(name, new String[]{label},
                new String[]{value});
        return sample == null ? 0 : sample;
    }

    /** Requests the gateway finished with {@code status}, whatever their other labels. */
    private static double status(GatewayHarness gateway, String status) {
        double total = 0;
        for (Collector.MetricFamilySamples family
                : Collections.list(gateway.server().metrics().registry().metricFamilySamples())) {
            for (Collector.MetricFamilySamples.Sample sample : family.samples) {
                int index = sample.labelNames.indexOf("status");
                if (sample.name.equals("llm_requests_total") && index >= 0
                        && sample.labelValues.get(index).equals(status)) {
                    total += sample.value;
                }
            }
        }
        return total;
    }
}
