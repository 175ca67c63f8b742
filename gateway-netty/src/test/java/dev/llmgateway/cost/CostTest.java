package dev.llmgateway.cost;

import dev.llmgateway.config.PriceConfig;
import dev.llmgateway.dialect.TokenUsage;
import dev.llmgateway.dialect.UsageTap;
import dev.llmgateway.dialect.anthropic.AnthropicAnswerDecoder;
import dev.llmgateway.dialect.gemini.GeminiAnswerDecoder;
import dev.llmgateway.dialect.openai.OpenAiAnswerDecoder;
import dev.llmgateway.dialect.openai.UsageReader;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The money bugs of other gateways, each pinned with real numbers at the shipped table's rates: the usage is read
 * by the gateway's own decoders (translated answers) and its same-API usage reader, then priced. Costs are whole
 * picodollars (10^-12 USD): USD × 10^12.
 */
class CostTest {
    private static final PriceTable PRICES = PriceTable.shipped();

    /** A 250k-token Gemini prompt is billed whole at the above-200k rates (LiteLLM #30135 ignored the tier). */
    @Test
    void aLongGeminiPromptIsPricedAtTheTierRate() throws IOException {
        TokenUsage usage = geminiBody("{\"promptTokenCount\": 250000, \"candidatesTokenCount\": 800,"
                + " \"thoughtsTokenCount\": 1200, \"totalTokenCount\": 252000}");
        ModelPrice pro = PRICES.find("gemini", "gemini-2.5-pro");

        // 250,000 × $2.50/M + (800 + 1,200 thoughts, billed as output) × $15/M = $0.625 + $0.03
        assertEquals(655_000_000_000L, pro.cost(usage));
        // The same request one token under the threshold: $1.25/M and $10/M.
        TokenUsage under = geminiBody("{\"promptTokenCount\": 200000, \"candidatesTokenCount\": 800,"
                + " \"thoughtsTokenCount\": 1200}");
        assertEquals(270_000_000_000L, pro.cost(under)); // 200,000 × 1.25 + 2,000 × 10 = $0.25 + $0.02
    }

    /**
     * An Anthropic answer with cache reads and both kinds of cache writes: each part at its own rate (LiteLLM
     * #33772 dropped the writes; Helicone #5766 priced them at the base rate), read from the stream the gateway
     * translates and from the body it passes through.
     */
    @Test
    void anthropicCacheReadsAndBothCacheWritesAreEachPricedAtTheirRate() throws IOException {
        String usageJson = "{\"input_tokens\":1000,\"cache_creation_input_tokens\":3000,"
                + "\"cache_read_input_tokens\":20000,\"cache_creation\":{\"ephemeral_5m_input_tokens\":2000,"
                + "\"ephemeral_1h_input_tokens\":1000},\"output_tokens\":500}";
        UsageTap translated = new UsageTap();
        AnthropicAnswerDecoder decoder = new AnthropicAnswerDecoder(translated, false);
        feed(decoder, "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\","
                + "\"role\":\"assistant\",\"content\":[],\"usage\":" + usageJson.replace("500", "1") + "}}");
        feed(decoder, "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},"
                + "\"usage\":{\"output_tokens\":500}}");
        feed(decoder, "{\"type\":\"message_stop\"}");
        TokenUsage passedThrough = usageRead("{\"id\":\"msg_1\",\"type\":\"message\",\"usage\":" + usageJson + "}");

        ModelPrice sonnet = PRICES.find("anthropic", "claude-sonnet-4-5-20250929");
        for (TokenUsage usage : new TokenUsage[]{translated.usage, passedThrough}) {
            assertEquals(24_000, usage.input(), "input counts the cache reads and writes once each");
            assertEquals(20_000, usage.cachedInput());
            assertEquals(3_000, usage.cacheWrite());
            assertEquals(1_000, usage.cacheWrite1h());
            // 1,000 × $3 + 20,000 × $0.30 + 2,000 × $3.75 (5 min) + 1,000 × $6 (1 h) + 500 × $15, per million
            // = $0.003 + $0.006 + $0.0075 + $0.006 + $0.0075 = $0.03
            assertEquals(30_000_000_000L, sonnet.cost(usage));
        }
    }

    /** Gemini's promptTokenCount already holds the cached tokens: they are priced once, at the cache rate (#14849). */
    @Test
    void geminiCachedContentIsCountedOnce() throws IOException {
        TokenUsage usage = geminiBody("{\"promptTokenCount\": 10000, \"cachedContentTokenCount\": 8000,"
                + " \"candidatesTokenCount\": 100, \"totalTokenCount\": 10100}");
        assertEquals(10_000, usage.input());
        assertEquals(8_000, usage.cachedInput());

        // (10,000 - 8,000) × $0.30 + 8,000 × $0.03 + 100 × $2.50, per million = $0.0006 + $0.00024 + $0.00025
        assertEquals(1_090_000_000L, PRICES.find("gemini", "gemini-2.5-flash").cost(usage));
    }

    /** OpenAI's prompt_tokens include the cached ones and completion_tokens the reasoning ones. */
    @Test
    void openAiCachedAndReasoningTokensArePricedOnce() throws IOException {
        String usageJson = "{\"prompt_tokens\":5000,\"completion_tokens\":3000,\"total_tokens\":8000,"
                + "\"prompt_tokens_details\":{\"cached_tokens\":4000},"
                + "\"completion_tokens_details\":{\"reasoning_tokens\":2500}}";
        TokenUsage passedThrough = usageRead("{\"id\":\"c1\",\"object\":\"chat.completion\",\"usage\":"
                + usageJson + "}");
        UsageTap translated = new UsageTap();
        new OpenAiAnswerDecoder(translated).body(bytes("{\"id\":\"c1\",\"choices\":[{\"index\":0,\"message\":"
                + "{\"role\":\"assistant\",\"content\":\"ok\"},\"finish_reason\":\"stop\"}],\"usage\":"
                + usageJson + "}"), 0, ("{\"id\":\"c1\",\"choices\":[{\"index\":0,\"message\":"
                + "{\"role\":\"assistant\",\"content\":\"ok\"},\"finish_reason\":\"stop\"}],\"usage\":"
                + usageJson + "}").length());

        ModelPrice o4mini = PRICES.find("openai", "o4-mini");
        for (TokenUsage usage : new TokenUsage[]{passedThrough, translated.usage}) {
            assertEquals(4_000, usage.cachedInput());
            assertEquals(2_500, usage.reasoning());
            // 1,000 × $1.10 + 4,000 × $0.275 + 3,000 (reasoning included, at the output rate) × $4.40, per million
            assertEquals(15_400_000_000L, o4mini.cost(usage));
        }
        // Where reasoning is billed apart, it is taken out of output and priced at its own rate.
        PriceTable apart = PriceTable.of(Map.of("thinker", price("thinker", 1_000_000, 2_000_000, 8_000_000)));
        // 1,000 × $1 + 4,000 × $1 (no cache rate: the input rate) + 500 × $2 + 2,500 × $8, per million
        assertEquals(26_000_000_000L, apart.find("any", "thinker").cost(passedThrough));
    }

    @Test
    void namesFindTheirRowThroughProviderPrefixesDatesAndDots() {
        assertEquals("claude-sonnet-4-5", PRICES.find("openrouter", "anthropic/claude-sonnet-4.5").model());
        assertEquals("claude-sonnet-4-5", PRICES.find("anthropic", "claude-sonnet-4-5-20250929").model());
        assertEquals("gpt-4o", PRICES.find("openai", "gpt-4o-2024-08-06").model());
        assertEquals("gpt-4o", PRICES.find("openrouter", "openai/gpt-4o").model());
        assertEquals("gemini-2.5-pro", PRICES.find("openrouter", "google/gemini-2.5-pro").model());
        assertEquals("deepseek-chat", PRICES.find("openrouter", "deepseek/deepseek-chat").model());
        assertNull(PRICES.find("local", "llama-3-70b"));
        PriceTable own = PriceTable.of(Map.of("azure/gpt-4o", price("azure/gpt-4o", 1, 1, -1)));
        assertEquals("azure/gpt-4o", own.find("azure", "gpt-4o").model(), "a provider's own rate comes first");
        assertEquals("gpt-4o", own.find("openai", "gpt-4o").model());
        assertNotNull(PRICES.date());
    }

    /** The worst case takes the dearest input (a 1-hour cache write) and output rates, at the request's tier. */
    @Test
    void worstCaseUsesTheDearestRatesOfTheTier() {
        ModelPrice sonnet = PRICES.find("anthropic", "claude-sonnet-4-5");
        assertEquals(1_000L * 6_000_000 + 100L * 15_000_000, sonnet.worstCase(1_000, 100));
        assertEquals(300_000L * 12_000_000 + 100L * 22_500_000, sonnet.worstCase(300_000, 100));
        assertEquals(Long.MAX_VALUE, sonnet.worstCase(1_000, Long.MAX_VALUE / 2), "saturates, never wraps");
    }

    @Test
    void amountsAreWrittenWithEveryDigit() {
        assertEquals("0.000415", Usd.format(415_000_000L));
        assertEquals("3.0", Usd.format(3 * Usd.PICOS_PER_USD));
        assertEquals("0.000000000001", Usd.format(1));
        assertEquals("12.5", Usd.format(12_500_000_000_000L));
    }

    private static PriceConfig price(String model, long input, long output, long reasoning) {
        return new PriceConfig(model, input, output, -1, -1, -1, reasoning, 0, -1, -1, -1, -1, -1, -1, -1);
    }

    private static TokenUsage geminiBody(String usageMetadata) throws IOException {
        String body = "{\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"ok\"}],\"role\": \"model\"},"
                + "\"finishReason\": \"STOP\",\"index\": 0}],\"usageMetadata\": " + usageMetadata
                + ",\"modelVersion\": \"gemini-2.5-pro\",\"responseId\": \"r1\"}";
        UsageTap tap = new UsageTap();
        new GeminiAnswerDecoder(tap).body(bytes(body), 0, body.length());
        return tap.usage;
    }

    private static TokenUsage usageRead(String json) {
        TokenUsage usage = new TokenUsage();
        ByteBuf buf = bytes(json);
        new UsageReader().read(buf, 0, buf.readableBytes(), usage);
        return usage;
    }

    private static void feed(AnthropicAnswerDecoder decoder, String data) throws IOException {
        decoder.streamData(bytes(data), 0, data.length());
    }

    private static ByteBuf bytes(String text) {
        return Unpooled.wrappedBuffer(text.getBytes(StandardCharsets.UTF_8));
    }
}
