package dev.llmgateway.json;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonBytesTest {
    private static final BytePattern USAGE = new BytePattern("\"usage\"");

    /** The text left when the last "usage" member is taken out of {@code json}, or null when none is found. */
    private static String withoutUsage(String json) {
        ByteBuf buf = Unpooled.copiedBuffer("xx" + json, UTF_8);
        try {
            long member = JsonBytes.lastMember(buf, USAGE, 2, buf.writerIndex());
            if (member < 0) {
                return null;
            }
            int value = JsonSpans.end(member);
            long extent = JsonBytes.memberExtent(buf, JsonSpans.start(member), value + 4, 2, buf.writerIndex());
            if (extent < 0) {
                return "not a member";
            }
            String text = buf.toString(UTF_8);
            return text.substring(2, JsonSpans.start(extent)) + text.substring(JsonSpans.end(extent));
        } finally {
            buf.release();
        }
    }

    @Test
    void takesAMemberOutWhateverTheWhitespace() {
        assertEquals("{\"a\":1}", withoutUsage("{\"a\":1,\"usage\":null}"));
        assertEquals("{\"a\": 1}", withoutUsage("{\"a\": 1, \"usage\": null}"));
        assertEquals("{\"a\" : 1  }", withoutUsage("{\"a\" : 1 ,\t\"usage\"\t:\tnull }"));
        assertEquals("{\"a\": 1, \"b\": 2}", withoutUsage("{\"a\": 1, \"usage\": null, \"b\": 2}"));
        assertEquals("{\"b\": 2}", withoutUsage("{\"usage\": null, \"b\": 2}"));
        assertEquals("{ }", withoutUsage("{ \"usage\" : null}"));
    }

    @Test
    void aNameThatIsAStringValueIsPassedOver() {
        assertEquals("{\"a\":\"usage\"}", withoutUsage("{\"a\":\"usage\",\"usage\":null}"));
        assertEquals("{\"a\":\"usage\"}", withoutUsage("{\"usage\":null,\"a\":\"usage\"}"));
        assertEquals(null, withoutUsage("{\"a\":\"usage\"}"));
        assertEquals(null, withoutUsage("{\"a\":[\"usage\", \"usage\"]}"));
        assertEquals(null, withoutUsage("{\"\\\"usage\":null}"), "a name that ends in an escaped quote");
    }

    @Test
    void objectsAreDelimitedByTheirFirstAndLastBytes() {
        assertTrue(delimits("{}"));
        assertTrue(delimits(" {\"a\":1}\t"));
        assertFalse(delimits("{\"a\":1"));
        assertFalse(delimits("[1]"));
        assertFalse(delimits("garbage"));
        assertFalse(delimits("{"));
        assertFalse(delimits(""));
    }

    @Test
    void theFirstMembersValue() {
        byte[] error = "\"error\"".getBytes(UTF_8);
        assertEquals(11, firstValue("{ \"error\": {}}", error));
        assertEquals(-1, firstValue("{\"id\":1,\"error\":{}}", error));
        assertEquals(-1, firstValue("[\"error\"]", error));
    }

    private static boolean delimits(String text) {
        ByteBuf buf = Unpooled.copiedBuffer(text, UTF_8);
        try {
            return JsonBytes.delimitsObject(buf, 0, buf.writerIndex());
        } finally {
            buf.release();
        }
    }

    private static int firstValue(String text, byte[] name) {
        ByteBuf buf = Unpooled.copiedBuffer(text, UTF_8);
        try {
            return JsonBytes.firstMemberValue(buf, name, 0, buf.writerIndex());
        } finally {
            buf.release();
        }
    }
}
