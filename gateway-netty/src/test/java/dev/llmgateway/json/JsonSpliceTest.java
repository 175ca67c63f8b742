package dev.llmgateway.json;

import com.fasterxml.jackson.core.io.SerializedString;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;

import java.io.IOException;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonSpliceTest {
    private static final PooledByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;
    private static final ByteBuf ALIAS = JsonSplice.quoted("gpt-4o");

    /** A pooled direct buffer whose readable bytes start at 3, so indexes are absolute. */
    private static ByteBuf buf(String s) {
        ByteBuf b = ALLOC.directBuffer();
        b.writeBytes("xxx".getBytes(UTF_8)).readerIndex(3);
        return b.writeBytes(s.getBytes(UTF_8));
    }

    private static String splice(String json, String target) {
        ByteBuf in = buf(json);
        int start = 3 + json.indexOf(target);
        ByteBuf replacement = buf("\"new\"");
        ByteBuf out = JsonSplice.replace(ALLOC, in, start, start + target.length(), replacement);
        try {
            assertEquals(1, out.refCnt());
            return out.toString(UTF_8);
        } finally {
            assertTrue(out.release());
            assertEquals(0, in.refCnt());
            assertTrue(replacement.release(), "the replacement is only borrowed");
        }
    }

    @Test
    void startMiddleEnd() {
        assertEquals("\"new\",1]", splice("\"old\",1]", "\"old\""));
        assertEquals("{\"a\":\"new\",\"b\":2}", splice("{\"a\":\"old\",\"b\":2}", "\"old\""));
        assertEquals("[1,\"new\"", splice("[1,\"old\"", "\"old\""));
        assertEquals("\"new\"", splice("\"old\"", "\"old\""));
    }

    @Test
    void sharedQuotedReplacementInAnSseEvent() throws IOException {
        String event = "data: {\"id\":\"c1\",\"model\":\"my-alias\",\"choices\":[]}\n\n";
        ByteBuf in = buf(event);
        long span = JsonSpans.findTopLevelString(in, 3 + 6, event.length() - 8, new SerializedString("model"));
        for (int i = 0; i < 2; i++) {
            ByteBuf out = JsonSplice.replace(ALLOC, in.retain(), JsonSpans.start(span), JsonSpans.end(span), ALIAS);
            assertEquals("data: {\"id\":\"c1\",\"model\":\"gpt-4o\",\"choices\":[]}\n\n", out.toString(UTF_8));
            assertTrue(out.isDirect(), "writable to a socket without a copy");
            out.release();
        }
        assertTrue(in.release());
        assertEquals("\"gpt-4o\"", ALIAS.toString(UTF_8));
    }

    @Test
    void quotedEscapes() {
        assertEquals("\"a\\\"b\\\\c\\n\u00e9\"", JsonSplice.quoted("a\"b\\c\né").toString(UTF_8));
        ByteBuf q = JsonSplice.quoted("x");
        assertTrue(q.isReadOnly());
        assertFalse(q.release(), "shared: a stray release cannot free it");
    }

    @Test
    void outOfRangeStillConsumesTheInput() {
        ByteBuf in = buf("{}");
        assertThrows(IndexOutOfBoundsException.class, () -> JsonSplice.replace(ALLOC, in, 2, 6, ALIAS));
        assertEquals(0, in.refCnt());
    }
}
