package dev.llmgateway.config;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads {@code [prices."MODEL"]} tables, in USD per million tokens: the config's own prices, and the price table
 * the gateway ships (the same reader, so the shipped file obeys the same rules). An entry replaces the shipped
 * entry of the same model whole.
 */
final class PricesSection {
    /** A price above this is a typo (the dearest models cost a few hundred dollars per million tokens). */
    private static final BigDecimal MAX_PRICE = BigDecimal.valueOf(100_000);
    private static final int PRICE_DECIMALS = 6;
    private static final String PRICE = "USD per million tokens: a number from 0 to 100000 with at most 6 decimals";
    private static final String TOKENS = "a whole number of tokens, 1 or more";

    private PricesSection() {
    }

    static Map<String, PriceConfig> read(ConfigTable root) {
        Map<String, PriceConfig> prices = new LinkedHashMap<>();
        root.namedTables("prices", true).forEach((model, t) -> {
            PriceConfig price = price(model, t);
            if (price != null) {
                prices.put(model, price);
            }
        });
        return prices;
    }

    private static PriceConfig price(String model, ConfigTable t) {
        long input = t.scaled("input", -1, PRICE_DECIMALS, MAX_PRICE, PRICE);
        long output = t.scaled("output", -1, PRICE_DECIMALS, MAX_PRICE, PRICE);
        if (!t.has("input")) {
            t.problem("input", PRICE);
        }
        if (!t.has("output")) {
            t.problem("output", PRICE);
        }
        long threshold = t.integer("tier_threshold_tokens", 0, 1, Long.MAX_VALUE, TOKENS);
        PriceConfig price = new PriceConfig(model, input, output, rate(t, "cached_input"), rate(t, "cache_write"),
                rate(t, "cache_write_1h"), rate(t, "reasoning"), threshold, rate(t, "above_tier_input"),
                rate(t, "above_tier_output"), rate(t, "above_tier_cached_input"), rate(t, "above_tier_cache_write"),
                rate(t, "above_tier_cache_write_1h"), rate(t, "above_tier_reasoning"),
                t.integer("max_output_tokens", -1, 1, Integer.MAX_VALUE, TOKENS));
        if (threshold == 0) {
            for (String key : t.keys()) {
                if (key.startsWith("above_tier_")) {
                    t.problem(key, "tier_threshold_tokens set too: the above_tier_ rates apply above it");
                }
            }
        }
        t.reportUnknownKeys();
        return input < 0 || output < 0 ? null : price;
    }

    private static long rate(ConfigTable t, String key) {
        return t.scaled(key, -1, PRICE_DECIMALS, MAX_PRICE, PRICE);
    }
}
