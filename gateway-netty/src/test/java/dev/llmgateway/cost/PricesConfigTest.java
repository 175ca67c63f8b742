package dev.llmgateway.cost;

import dev.llmgateway.config.ConfigException;
import dev.llmgateway.config.ConfigLoader;
import dev.llmgateway.config.GatewayConfig;
import dev.llmgateway.testutil.GatewayHarness;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** {@code [prices]}, {@code [[teams]]} and the budget keys as the config reads them, and what --check-config warns. */
class PricesConfigTest {
    private static final String MODELS = """

            [models."known"]
            provider = "up"
            api_model = "gpt-4o"

            [models."local"]
            provider = "up"
            api_model = "llama-3-70b"

            [routing]
            rules = [{ match = "qwen-72b", provider = "up" }, { match = "claude-*", provider = "up" }]
            """;

    @Test
    void anUnknownPriceFieldIsAnErrorAndABadRateSaysWhatIsExpected() {
        ConfigException e = assertThrows(ConfigException.class, () -> parse("", """
                [prices."m"]
                input = 1.5
                outptu = 2
                cached_input = 0.0000001
                above_tier_input = 3
                """));
        assertEquals(List.of(
                "prices.\"m\".output: missing (expected: USD per million tokens: a number from 0 to 100000 with at"
                        + " most 6 decimals)",
                "prices.\"m\".cached_input: 1.0E-7 (expected: USD per million tokens: a number from 0 to 100000"
                        + " with at most 6 decimals)",
                "prices.\"m\".above_tier_input: 3 (expected: tier_threshold_tokens set too: the above_tier_ rates"
                        + " apply above it)",
                "prices.\"m\".outptu: unknown key (expected one of: input, output, tier_threshold_tokens,"
                        + " cached_input, cache_write, cache_write_1h, reasoning, above_tier_input, above_tier_output,"
                        + " above_tier_cached_input, above_tier_cache_write, above_tier_cache_write_1h,"
                        + " above_tier_reasoning, max_output_tokens)"), e.problems());
    }

    @Test
    void aRoutedModelWithoutAPriceIsAWarning() throws ConfigException {
        GatewayConfig config = parse("", "");
        assertEquals(List.of(
                "models.\"local\": model \"llama-3-70b\" on provider up has no price (its requests count as costing"
                        + " 0 and budgets reserve nothing for them; add [prices.\"llama-3-70b\"])",
                "routing.rules[0]: model \"qwen-72b\" on provider up has no price (its requests count as costing 0"
                        + " and budgets reserve nothing for them; add [prices.\"qwen-72b\"])"),
                PriceTable.of(config.prices()).unpricedRoutes(config));
        GatewayConfig priced = parse("", """
                [prices."llama-3-70b"]
                input = 0.5
                output = 0.5
                [prices."qwen-72b"]
                input = 0.4
                output = 0.4
                """);
        assertEquals(List.of(), PriceTable.of(priced.prices()).unpricedRoutes(priced));
        assertEquals(500_000L * 1_000, PriceTable.of(priced.prices()).find("up", "llama-3-70b").worstCase(1_000, 0));
    }

    @Test
    void keysAndTeamsReadTheirBudgets() throws ConfigException {
        GatewayConfig config = parse("""
                budget_usd = 12.5
                budget_period = "168h"
                budget_mode = "soft"
                team = "research"
                """, """
                [[teams]]
                name = "research"
                budget_usd = 100
                budget_period = "month"
                """);
        assertEquals(12_500_000_000_000L, config.apiKeys().get(0).budget().limitPicos());
        assertEquals("rolling PT168H", config.apiKeys().get(0).budget().period().toString());
        assertEquals("SOFT", config.apiKeys().get(0).budget().mode().name());
        assertEquals(100 * Usd.PICOS_PER_USD, config.teams().get(0).budget().limitPicos());
        Budgets budgets = Budgets.of(config, new LocalBudgetLedger());
        assertEquals(List.of("key", "team"), budgets.of("tester").stream().map(BudgetLedger.Budget::scope).toList());

        ConfigException e = assertThrows(ConfigException.class, () -> parse("""
                team = "nobody"
                token_budget = 10
                budget_period = "24h"
                """, ""));
        assertEquals(List.of(
                "api_keys[0].budget_period: \"24h\" (expected: \"day\" or \"month\" with token_budget (a token"
                        + " budget counts per calendar day or month; a rolling window is for budget_usd alone))",
                "api_keys (tester).team: \"nobody\" (expected: the name of a [[teams]] entry (there is none))"),
                e.problems());
    }

    @Test
    void theShippedTableLoadsEveryRow() {
        assertEquals("2026-12-07", PriceTable.shipped().date());
        for (String model : List.of("gpt-5", "gpt-4o-mini", "o3", "claude-opus-4-5", "claude-haiku-4-5",
                "gemini-2.5-flash", "gemini-3.1-pro-preview", "deepseek-chat", "deepseek-reasoner")) {
            assertEquals(model, PriceTable.shipped().find("x", model).model());
        }
    }

    private static GatewayConfig parse(String keyLines, String extra) throws ConfigException {
        return ConfigLoader.parse(GatewayHarness.openAiConfig("http://127.0.0.1:9", keyLines, MODELS + extra),
                "test.toml", Map.of());
    }
}
