package dev.llmgateway.dialect.openai;

import dev.llmgateway.dialect.TokenUsage;
import dev.llmgateway.testutil.BufferLayouts;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The usage reader on the forms providers write and on hostile ones: every answer is read from a heap buffer, a
 * direct one with bytes before the body, and a composite split at every byte (an answer gathered from two reads), and
 * each must give the same counts. Where the byte walk leaves the object to Jackson (an escaped name, non-ASCII
 * text, a count no plain integer, deep nesting), the counts are Jackson's, malformed objects included.
 */
class UsageReaderTest {
    /** (input, cached, cache write, 1-hour write, output, reasoning); -1 unknown. */
    private static final long[] NOT_READ = null;

    @Test
    void readsOpenAiChatUsageWithItsDetails() {
        expect("{\"prompt_tokens\":19,\"completion_tokens\":10,\"total_tokens\":29,\"prompt_tokens_details\":"
                        + "{\"cached_tokens\":3,\"audio_tokens\":0},\"completion_tokens_details\":"
                        + "{\"reasoning_tokens\":4,\"audio_tokens\":0,\"accepted_prediction_tokens\":0,"
                        + "\"rejected_prediction_tokens\":0}}",
                19, 3, -1, -1, 10, 4);
    }

    @Test
    void readsSpacedJsonAsPythonWritesIt() {
        expect("{\n  \"prompt_tokens\": 19,\n  \"completion_tokens\" : 10 ,\r\n\t\"prompt_tokens_details\": "
                + "{ \"cached_tokens\" : 3 } }", 19, 3, -1, -1, 10, -1);
    }

    @Test
    void readsResponsesAndDeepSeekCounts() {
        expect("{\"input_tokens\":30,\"input_tokens_details\":{\"cached_tokens\":8},\"output_tokens\":12,"
                + "\"output_tokens_details\":{\"reasoning_tokens\":5},\"total_tokens\":42}", 30, 8, -1, -1, 12, 5);
        expect("{\"prompt_tokens\":30,\"completion_tokens\":2,\"prompt_cache_hit_tokens\":20,"
                + "\"prompt_cache_miss_tokens\":10}", 30, 20, -1, -1, 2, -1);
    }

    @Test
    void addsAnthropicsCacheCountsBackIntoItsInput() {
        expect("{\"input_tokens\":10,\"cache_creation_input_tokens\":5,\"cache_read_input_tokens\":7,"
                        + "\"cache_creation\":{\"ephemeral_5m_input_tokens\":2,\"ephemeral_1h_input_tokens\":3},"
                        + "\"output_tokens\":20,\"service_tier\":\"standard\",\"server_tool_use\":null}",
                22, 7, 5, 3, 20, -1);
    }

    @Test
    void passesOverValuesOfEveryKindAroundTheCounts() {
        expect("{\"cost\":0.00012,\"is_byok\":false,\"cost_details\":{\"upstream_inference_cost\":1.5e-5,"
                        + "\"list\":[1,-2.5E+3,true,null,\"a\\\"b\\\\c\\u00e9\\/\",{},[]]},\"prompt_tokens\":7,"
                        + "\"note\":\"\",\"completion_tokens\":8}",
                7, -1, -1, -1, 8, -1);
    }

    @Test
    void keepsOnlyPlainIntegersAsJacksonDoes() {
        expect("{\"prompt_tokens\":-0,\"completion_tokens\":1e3}", 0, -1, -1, -1, -1, -1);
        expect("{\"prompt_tokens\":12.0,\"completion_tokens\":\"5\"}", -1, -1, -1, -1, -1, -1);
        expect("{\"prompt_tokens\":123456789012345678}", 123456789012345678L, -1, -1, -1, -1, -1);
        expect("{\"prompt_tokens\":1234567890123456789}", 1234567890123456789L, -1, -1, -1, -1, -1);
        // An integer past a long: Jackson cannot read it, and neither can the gateway.
        expect("{\"prompt_tokens\":12345678901234567890}", NOT_READ);
        // Only counts are read as integers: a long number elsewhere is passed over.
        expect("{\"id_number\":123456789012345678901234567890,\"prompt_tokens\":4}", 4, -1, -1, -1, -1, -1);
    }

    @Test
    void aLaterDetailsObjectReplacesAnEarlierOne() {
        expect("{\"prompt_tokens\":4,\"prompt_tokens_details\":{\"cached_tokens\":3},"
                + "\"prompt_tokens_details\":{\"audio_tokens\":1}}", 4, -1, -1, -1, -1, -1);
        expect("{\"prompt_tokens\":4,\"prompt_tokens_details\":{\"cached_tokens\":3,\"cached_tokens\":null}}",
                4, 3, -1, -1, -1, -1);
        expect("{\"prompt_tokens\":4,\"prompt_tokens_details\":null,\"completion_tokens_details\":[1]}",
                4, -1, -1, -1, -1, -1);
    }

    @Test
    void leavesWhatItDoesNotReadToJackson() {
        // An escaped name is the same name to Jackson.
        expect("{\"prompt\\u005ftokens\":7,\"completion_tokens\":1}", 7, -1, -1, -1, 1, -1);
        expect("{\"note\":\"caf\u00e9 \u2603\",\"prompt_tokens\":3}", 3, -1, -1, -1, -1, -1);
        expect("{\"deep\":" + "[".repeat(40) + "]".repeat(40) + ",\"prompt_tokens\":3}", 3, -1, -1, -1, -1, -1);
    }

    @Test
    void findsTheUsageMemberPastStringsThatMentionIt() {
        String body = "{\"choices\":[{\"message\":{\"content\":\"say \\\"usage\\\": {\\\"prompt_tokens\\\": 99}\"}}],"
                + "\"tags\":[\"usage\"],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":2}}";
        assertEverywhere(body, new long[] {1, -1, -1, -1, 2, -1});
    }

    @Test
    void rejectsMalformedUsage() {
        expect("{\"prompt_tokens\":01}", NOT_READ);
        expect("{\"prompt_tokens\":1,}", NOT_READ);
        expect("{\"prompt_tokens\":1 \"completion_tokens\":2}", NOT_READ);
        expect("{\"prompt_tokens\":tru}", NOT_READ);
        expect("{\"prompt_tokens\":1.}", NOT_READ);
        expect("{\"prompt_tokens\":5,\"x\":\"\\q\"}", NOT_READ);
        expect("{\"prompt_tokens\":5,\"x\":\"a\u0001b\"}", NOT_READ);
        expect("{prompt_tokens:5}", NOT_READ);
        assertEverywhere("{\"id\":\"x\",\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":", NOT_READ);
        assertEverywhere("{\"id\":\"x\",\"usage\":null}", NOT_READ);
    }

    private static void expect(String usageObject, long... counts) {
        assertEverywhere("{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"usage\":" + usageObject + "}",
                counts);
    }

    /** Reads {@code body} from each of its buffers and checks the counts (null: nothing read). */
    private static void assertEverywhere(String body, long[] expected) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        BufferLayouts.each(bytes, layout -> {
            TokenUsage usage = new TokenUsage();
            boolean read = new UsageReader().read(layout.buf(), layout.index(), bytes.length, usage);
            String where = layout.name() + " of " + body;
            if (expected == null) {
                assertEquals(false, read, where);
                assertEquals(false, usage.reported(), where);
            } else {
                assertEquals(true, read, where);
                assertArrayEquals(expected, new long[] {usage.input(), usage.cachedInput(), usage.cacheWrite(),
                        usage.cacheWrite1h(), usage.output(), usage.reasoning()}, where);
            }
        });
    }
}
