package dev.llmgateway.budget;

import dev.llmgateway.cost.BudgetLedger;
import dev.llmgateway.cost.LocalBudgetLedger;
import dev.llmgateway.cost.Usd;
import dev.llmgateway.server.Snapshot;
import dev.llmgateway.testutil.ClientProtocol;
import dev.llmgateway.testutil.FakeUpstream;
import dev.llmgateway.testutil.GatewayHarness;
import dev.llmgateway.testutil.JsonPath;
import dev.llmgateway.testutil.OnBothClientProtocols;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;

import java.io.InputStream;
import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * USD budgets through the real gateway, a fake OpenAI-compatible provider on loopback: concurrent first requests
 * cannot together pass a budget (LiteLLM #40095), spend settles to the exact sum of what the provider's usage
 * costs, and a stream the client cancels is charged for what was streamed.
 */
@OnBothClientProtocols
class BudgetIntegrationTest {
    @Parameter
    ClientProtocol protocol;

    /** $1 per million input tokens, $2 per million output: 1,000,000 and 2,000,000 picodollars a token. */
    static final String PRICES = """
            [prices."budget-model"]
            input = 1
            output = 2
            """;
    static final String BODY = "{\"model\":\"budget-model\",\"max_tokens\":100,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    /** The fake provider's usage: 10 in, 5 out = 10 × $1/M + 5 × $2/M = $0.00002. */
    static final String ANSWER = "{\"id\":\"c1\",\"object\":\"chat.completion\",\"model\":\"budget-model\","
            + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"ok\"},"
            + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":5,"
            + "\"total_tokens\":15}}";
    static final long ANSWER_PICOS = 10 * 1_000_000L + 5 * 2_000_000L;

    @Test
    void fiftyConcurrentFirstRequestsAgainstABudgetOfTenWorstCasesAdmitTen() throws Exception {
        CountDownLatch allArrived = new CountDownLatch(1);
        // Worst case: the prompt at bytes / 3 tokens × $1/M + max_tokens 100 × $2/M.
        long promptTokens = (BODY.length() + 2) / 3;
        long worstPicos = promptTokens * 1_000_000L + 100 * 2_000_000L;
        String budgetUsd = BigDecimal.valueOf(10 * worstPicos).movePointLeft(12).toPlainString();
        try (FakeUpstream upstream = new FakeUpstream(reply -> {
                // Held until every request has had its verdict, so the admitted ones are all in flight together.
                allArrived.await(10, TimeUnit.SECONDS);
                reply.full(200, "OK", "application/json", ANSWER.getBytes(StandardCharsets.UTF_8));
            });
             GatewayHarness gateway = GatewayHarness.start(protocol, config(upstream, "budget_usd = " + budgetUsd))) {
            concurrentFirstRequests(upstream, gateway, allArrived);
        }
    }

    private static void concurrentFirstRequests(FakeUpstream upstream, GatewayHarness gateway,
                                                CountDownLatch allArrived) throws Exception {
        List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            calls.add(gateway.client().sendAsync(gateway.request("/v1/chat/completions")
                    .header("authorization", "Bearer " + GatewayHarness.KEY)
                    .header("content-type", "application/json")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(BODY)).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        waitFor(() -> upstream.received().size() + refused(calls) >= 50);
        allArrived.countDown();
        int admitted = 0;
        for (CompletableFuture<HttpResponse<String>> call : calls) {
            HttpResponse<String> response = call.get(20, TimeUnit.SECONDS);
            if (response.statusCode() == 200) {
                admitted++;
                assertEquals("0.00002", response.headers().firstValue("x-gateway-cost-usd").orElse(null));
            } else {
                assertEquals(429, response.statusCode(), response.body());
                assertEquals("budget_exceeded", JsonPath.read(response.body(), "error", "code"));
                assertTrue(response.headers().firstValue("retry-after").isPresent());
            }
        }
        assertEquals(10, admitted, "ten worst cases fit, and no more");
        assertEquals(10, upstream.received().size(), "the refused never reached the provider");

        BudgetLedger.Budget budget = keyBudget(gateway);
        waitFor(() -> ledger(gateway).reserved(budget) == 0);
        assertEquals(10 * ANSWER_PICOS, ledger(gateway).spent(budget, System.currentTimeMillis()),
                "spend is the exact sum of the costs of the provider's usage");
        // Settled just before the exchange's record is counted: wait for the metric to catch up.
        waitFor(() -> Math.abs(costMetric(gateway) - Usd.toDouble(10 * ANSWER_PICOS)) < 1e-15);
    }

    @Test
    void aStreamTheClientCancelsIsChargedForWhatWasStreamed() throws Exception {
        CountDownLatch cancelled = new CountDownLatch(1);
        try (FakeUpstream upstream = new FakeUpstream(reply -> {
            reply.head(200, "OK", true, "content-type", "text/event-stream");
            for (String piece : new String[]{"Hel", "lo", " there"}) {
                reply.body("data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"budget-model\","
                        + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + piece + "\"},"
                        + "\"finish_reason\":null}],\"usage\":null}\n\n");
            }
            cancelled.await(10, TimeUnit.SECONDS); // no usage chunk ever comes: the client leaves first
            reply.close();
        });
             GatewayHarness gateway = GatewayHarness.start(protocol, config(upstream, "budget_usd = 1"))) {
            cancelAStream(upstream, gateway, cancelled);
        }
    }

    private static void cancelAStream(FakeUpstream upstream, GatewayHarness gateway, CountDownLatch cancelled)
            throws Exception {
        String stream = "{\"model\":\"budget-model\",\"stream\":true,\"max_tokens\":100,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        // Closing the body unread leaves: on HTTP/1.1 the client closes its connection, on HTTP/2 it resets the stream.
        HttpResponse<InputStream> response = gateway.postStreaming("/v1/chat/completions", stream);
        assertEquals(200, response.statusCode());
        try (InputStream body = response.body()) {
            waitFor(() -> upstream.received().size() == 1);
            Thread.sleep(200); // the three events reach the client
        }
        BudgetLedger.Budget budget = keyBudget(gateway);
        waitFor(() -> ledger(gateway).reserved(budget) == 0);
        cancelled.countDown();
        // No usage from the provider: 3 events streamed (one token each, at $2/M) and the prompt from its bytes
        // (about 4 bytes a token, at $1/M) as the provider did not count it either.
        long promptTokens = (stream.length() + 3) / 4;
        assertEquals(promptTokens * 1_000_000L + 3 * 2_000_000L,
                ledger(gateway).spent(budget, System.currentTimeMillis()));
    }

    private static String config(FakeUpstream upstream, String keyBudget) {
        return GatewayHarness.openAiConfig(upstream.baseUrl(), keyBudget, """

                [routing]
                default_provider = "up"
                """ + PRICES);
    }

    private static double costMetric(GatewayHarness gateway) {
        Double value = gateway.server().metrics().registry().getSampleValue("llm_cost_usd_total",
                new String[]{"api_key", "model", "provider"}, new String[]{"tester", "other", "up"});
        return value == null ? 0 : value;
    }

    private static BudgetLedger.Budget keyBudget(GatewayHarness gateway) {
        Snapshot snapshot = gateway.server().snapshot();
        BudgetLedger.Budget budget = snapshot.budgets().of("tester").get(0);
        assertNotNull(budget);
        return budget;
    }

    private static LocalBudgetLedger ledger(GatewayHarness gateway) {
        return (LocalBudgetLedger) gateway.server().snapshot().budgets().ledger();
    }

    private static int refused(List<CompletableFuture<HttpResponse<String>>> calls) {
        int done = 0;
        for (CompletableFuture<HttpResponse<String>> call : calls) {
            done += call.isDone() ? 1 : 0;
        }
        return done;
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting");
            Thread.sleep(10);
        }
    }
}
