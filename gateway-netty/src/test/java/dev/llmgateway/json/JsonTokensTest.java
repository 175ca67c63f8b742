package dev.llmgateway.json;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The byte-level token reader against Jackson, the judge it defers to: on every input it either leaves the object
 * unread or reads it whole exactly where Jackson ends it; it never accepts what Jackson rejects. Checked on
 * hand-picked hostile values and on a bounded, seeded run of byte mutations of real usage objects.
 */
class JsonTokensTest {
    private static final List<String> VALUES = List.of(
            "0", "-0", "7", "-12", "123456789012345678", "1234567890123456789", "12345678901234567890",
            "01", "-", "+1", ".5", "1.", "1.5", "1e5", "1E+5", "1e-05", "1e", "1e+", "-1.25E-3", "1x", "0x10",
            "true", "false", "null", "tru", "nul", "truex", "True", "NaN", "Infinity",
            "\"\"", "\"a\"", "\"\\\"\"", "\"\\\\\"", "\"\\/\"", "\"\\b\\f\\n\\r\\t\"", "\"\\u00e9\"", "\"\\u00G9\"",
            "\"\\u12\"", "\"\\x\"", "\"a\u0001\"", "\"caf\u00e9\"", "\"unterminated", "\"a\"b\"",
            "{}", "[]", "{ }", "[ ]", "[1,2]", "[1,]", "[,1]", "[1 2]", "{\"a\":1}", "{\"a\":1,}", "{\"a\" 1}",
            "{a:1}", "{'a':1}", "{\"a\":1 \"b\":2}", "{\"a\":{\"b\":[{\"c\":null}]}}",
            "[".repeat(18) + "1" + "]".repeat(18),
            "[\"a\",{\"b\":\"}\"},\"]\"]", "/* c */1", "1 // c", "{\"a\":1}}", "[1]]", "\"\\ud800\"");

    @Test
    void readsHostileValuesAsJacksonDoesOrNotAtAll() throws IOException {
        for (String value : VALUES) {
            assertAgreesWithJackson("{\"k\":" + value + "}");
            assertAgreesWithJackson("{ \"k\" : " + value + " , \"z\" : 1 }");
        }
    }

    @Test
    void mutatedUsageObjectsAreReadAsJacksonReadsThemOrLeftToIt() throws IOException {
        String[] seeds = {
                "{\"prompt_tokens\":19,\"completion_tokens\":10,\"prompt_tokens_details\":{\"cached_tokens\":3},"
                        + "\"completion_tokens_details\":{\"reasoning_tokens\":4},\"cost\":1.5e-5,\"ok\":true}",
                "{ \"input_tokens\": 10, \"cache_creation\": { \"ephemeral_1h_input_tokens\": 3 }, \"tier\": "
                        + "\"a\\\"b\", \"list\": [null, false, -0.5, {}] }"};
        byte[] alphabet = "{}[]\":,.-+eE0123456789 \\tfnu\"a".getBytes(StandardCharsets.US_ASCII);
        Random random = new Random(18);
        int readWhole = 0;
        for (int round = 0; round < 4000; round++) {
            byte[] bytes = seeds[round % seeds.length].getBytes(StandardCharsets.US_ASCII);
            for (int edits = 1 + random.nextInt(3); edits > 0; edits--) {
                bytes[random.nextInt(bytes.length)] = alphabet[random.nextInt(alphabet.length)];
            }
            readWhole += assertAgreesWithJackson(new String(bytes, StandardCharsets.US_ASCII)) ? 1 : 0;
        }
        assertTrue(readWhole > 100, "the mutations left few objects readable: " + readWhole);
    }

    @Test
    void readsIntegersAsJacksonDoes() throws IOException {
        for (String value : VALUES) {
            String text = value + ",";
            ByteBuf buf = Unpooled.wrappedBuffer(text.getBytes(StandardCharsets.UTF_8));
            int end = JsonTokens.integerEnd(buf, 0, buf.readableBytes());
            if (end != JsonTokens.UNREAD) {
                try (JsonParser parser = Json.FACTORY.createParser(text.substring(0, end))) {
                    assertEquals(JsonToken.VALUE_NUMBER_INT, parser.nextToken(), value);
                    assertEquals(parser.getLongValue(), JsonTokens.integer(buf, 0, end), value);
                }
            }
        }
    }

    /**
     * Walks the object in {@code json} (skipping every value) and checks it against Jackson: read whole only where
     * Jackson ends it, and then only if Jackson accepts it. Returns whether it was read.
     */
    private static boolean assertAgreesWithJackson(String json) throws IOException {
        ByteBuf buf = Unpooled.directBuffer().writeBytes(json.getBytes(StandardCharsets.UTF_8));
        try {
            int end = JsonTokens.walkObject(buf, 0, buf.readableBytes(),
                    (b, name, nameEnd, value, limit) -> JsonTokens.valueEnd(b, value, limit));
            if (end == JsonTokens.UNREAD) {
                return false;
            }
            assertEquals(jacksonObjectEnd(json), end, json);
            return true;
        } finally {
            buf.release();
        }
    }

    /** Where Jackson ends the object {@code json} starts with, or -2 when it rejects it. */
    private static int jacksonObjectEnd(String json) {
        try (JsonParser parser = Json.FACTORY.createParser(json.getBytes(StandardCharsets.UTF_8))) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return -2;
            }
            parser.skipChildren();
            return (int) parser.currentLocation().getByteOffset();
        } catch (IOException rejected) {
            return -2;
        }
    }
}
