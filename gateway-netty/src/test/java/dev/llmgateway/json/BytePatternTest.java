package dev.llmgateway.json;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

class BytePatternTest {
    private static ByteBuf ascii(String text) {
        return Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII);
    }

    @Test
    void findsTheLastOccurrenceWithinTheRange() {
        ByteBuf buf = ascii("xx\"usage\":{},\"usage\":null}");
        BytePattern usage = new BytePattern("\"usage\"");
        assertEquals(13, usage.lastIndexIn(buf, 0, buf.writerIndex()));
        assertEquals(2, usage.lastIndexIn(buf, 0, 13));
        assertEquals(-1, usage.lastIndexIn(buf, 3, 13));
        assertEquals(-1, usage.lastIndexIn(buf, 0, 0));
        buf.release();
    }

    @Test
    void overlappingPrefixesAreNotMissed() {
        ByteBuf buf = ascii("aaab nulll ,\"usage\":nulllx");
        assertEquals(11, new BytePattern(",\"usage\":null").lastIndexIn(buf, 0, buf.writerIndex()));
        assertEquals(0, new BytePattern("aab").lastIndexIn(ascii("aab"), 0, 3));
        ByteBuf abab = ascii("abababac");
        assertEquals(4, new BytePattern("abac").lastIndexIn(abab, 0, abab.writerIndex()));
        abab.release();
        buf.release();
    }

    @Test
    void agreesWithStringLastIndexOfOnRandomInputAndCompositeBuffers() {
        Random random = new Random(42);
        BytePattern pattern = new BytePattern("aba");
        for (int round = 0; round < 2000; round++) {
            StringBuilder text = new StringBuilder();
            int length = random.nextInt(30);
            for (int i = 0; i < length; i++) {
                text.append((char) ('a' + random.nextInt(2)));
            }
            String s = text.toString();
            int cut = s.isEmpty() ? 0 : random.nextInt(s.length());
            CompositeByteBuf composite = Unpooled.compositeBuffer();
            composite.addComponent(true, ascii(s.substring(0, cut))).addComponent(true, ascii(s.substring(cut)));
            assertEquals(s.lastIndexOf("aba"), pattern.lastIndexIn(composite, 0, composite.writerIndex()), s);
            composite.release();
        }
    }
}
