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

    /**
     * An event gathered from several reads is a composite of slices whose parents hold other bytes around them
     * (here, a decoy needle): the scan must see only the composite's own bytes.
     */
    @Test
    void compositesOfSlicesAreScannedWithinTheirOwnBytes() {
        String event = "data: {\"type\":\"message_start\",\"message\":{\"id\":\"m\",\"usage\":{\"input_tokens\":21}}}\n\n";
        byte[] bytes = event.getBytes(StandardCharsets.US_ASCII);
        int expected = event.indexOf("\"usage\"");
        BytePattern usage = new BytePattern("\"usage\"");
        for (int first = 1; first < bytes.length - 1; first++) {
            for (int second = first + 1; second < bytes.length; second += 3) {
                CompositeByteBuf gathered = Unpooled.compositeBuffer();
                gathered.addComponent(true, sliceWithDecoys(bytes, 0, first));
                gathered.addComponent(true, sliceWithDecoys(bytes, first, second));
                gathered.addComponent(true, sliceWithDecoys(bytes, second, bytes.length));
                assertEquals(expected, usage.lastIndexIn(gathered, 6, bytes.length - 2), first + "/" + second);
                gathered.release();
            }
        }
    }

    private static ByteBuf sliceWithDecoys(byte[] bytes, int from, int to) {
        byte[] decoy = "\"usage\":{}".getBytes(StandardCharsets.US_ASCII);
        ByteBuf parent = Unpooled.directBuffer(decoy.length * 2 + to - from)
                .writeBytes(decoy).writeBytes(bytes, from, to - from).writeBytes(decoy);
        ByteBuf slice = parent.retainedSlice(decoy.length, to - from);
        parent.release();
        return slice;
    }

    @Test
    void findsWhatANaiveSearchFindsInDirectHeapAndSplitBuffers() {
        Random random = new Random(20261207);
        BytePattern pattern = new BytePattern(",\"usage\":null");
        String[] pieces = {"a", "g", "usage", "\"", ",", ":", "null", ",\"usage\":null", "x"};
        for (int round = 0; round < 2000; round++) {
            StringBuilder text = new StringBuilder();
            for (int n = random.nextInt(40); n > 0; n--) {
                text.append(pieces[random.nextInt(pieces.length)]);
            }
            byte[] bytes = text.toString().getBytes(StandardCharsets.US_ASCII);
            int from = bytes.length == 0 ? 0 : random.nextInt(bytes.length);
            int to = from + random.nextInt(bytes.length - from + 1);
            int expected = text.substring(0, to).lastIndexOf(",\"usage\":null");
            expected = expected >= from ? expected : -1;
            ByteBuf direct = Unpooled.directBuffer(bytes.length).writeBytes(bytes);
            int cut = bytes.length == 0 ? 0 : random.nextInt(bytes.length);
            CompositeByteBuf split = Unpooled.compositeBuffer().addComponents(true,
                    Unpooled.wrappedBuffer(bytes, 0, cut), Unpooled.wrappedBuffer(bytes, cut, bytes.length - cut));
            try {
                assertEquals(expected, pattern.lastIndexIn(direct, from, to), text + " [" + from + ", " + to + ")");
                assertEquals(expected, pattern.lastIndexIn(Unpooled.wrappedBuffer(bytes), from, to), text.toString());
                assertEquals(expected, pattern.lastIndexIn(split, from, to), text + " cut at " + cut);
            } finally {
                direct.release();
                split.release();
            }
        }
    }
}
