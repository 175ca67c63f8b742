package dev.llmgateway.sse;

import dev.llmgateway.config.ProviderConfig;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** Every provider fixture, whole and cut at every byte: the same bytes and the same events must come out. */
class SseFramerFixtureTest {
    /** Fixtures small enough to cut at every pair of offsets. */
    private static final int THREE_WAY_MAX = 1000;
    /**
     * For the exhaustive cuts: paranoid tracking takes a stack trace per buffer access, which would dominate.
     * Leaks still fail these tests: unpooled slices share their chunk's count, so each chunk must end at 0.
     */
    private static final ByteBufAllocator UNTRACKED = new UnpooledByteBufAllocator(false, true);

    static final List<String> FIXTURES = Fixtures.SSE;

    @ParameterizedTest
    @FieldSource("FIXTURES")
    void wholeMatchesReference(String fixture) {
        byte[] in = Fixtures.bytes(fixture);
        List<Recorder.Ev> expected = Reference.eventsWithData(new String(in, ISO_8859_1));
        assertFalse(expected.isEmpty());
        assertEquals(expected, feedHeap(in, new int[0]).withData);
        assertEquals(expected, feedPooledDirect(in, new int[0]).withData);
    }

    @ParameterizedTest
    @FieldSource("FIXTURES")
    void everyTwoWaySplit(String fixture) {
        byte[] in = Fixtures.bytes(fixture);
        List<Recorder.Ev> expected = feedHeap(in, new int[0]).withData;
        for (int cut = 0; cut <= in.length; cut++) {
            assertEquals(expected, feedHeap(in, new int[] {cut}).withData, "cut at " + cut);
        }
    }

    @ParameterizedTest
    @FieldSource("FIXTURES")
    void twoWaySplitsOfPooledDirectBuffers(String fixture) {
        byte[] in = Fixtures.bytes(fixture);
        List<Recorder.Ev> expected = feedHeap(in, new int[0]).withData;
        // Paranoid leak tracking records a stack trace per buffer access, so every 7th cut here.
        for (int cut = 0; cut <= in.length; cut += 7) {
            assertEquals(expected, feedPooledDirect(in, new int[] {cut}).withData, "cut at " + cut);
        }
    }

    @ParameterizedTest
    @FieldSource("FIXTURES")
    void everyThreeWaySplitOfSmallFixtures(String fixture) {
        byte[] in = Fixtures.bytes(fixture);
        if (in.length > THREE_WAY_MAX) {
            return;
        }
        List<Recorder.Ev> expected = feedHeap(in, new int[0]).withData;
        for (int a = 0; a <= in.length; a++) {
            for (int b = a; b <= in.length; b++) {
                assertEquals(expected, feedHeap(in, new int[] {a, b}).withData, "cuts at " + a + ", " + b);
            }
        }
    }

    @ParameterizedTest
    @FieldSource("FIXTURES")
    void oneBytePerChunk(String fixture) {
        byte[] in = Fixtures.bytes(fixture);
        int[] cuts = new int[in.length];
        Arrays.setAll(cuts, i -> i);
        List<Recorder.Ev> expected = feedHeap(in, new int[0]).withData;
        assertEquals(expected, feedHeap(in, cuts).withData);
        assertEquals(expected, feedPooledDirect(in, cuts).withData);
    }

    @ParameterizedTest
    @FieldSource("FIXTURES")
    void eventsGoOutAsSoonAsTheirBlankLineArrives(String fixture) {
        byte[] in = Fixtures.bytes(fixture);
        int total = feedHeap(in, new int[0]).events;
        // Stopping right after the last byte of the stream must already have emitted everything.
        Recorder r = new Recorder();
        SseFramer framer = new SseFramer(r, ProviderConfig.DEFAULT_MAX_SSE_EVENT_BYTES);
        framer.feed(Unpooled.wrappedBuffer(in));
        assertEquals(total, r.events);
        framer.release();
    }

    private static Recorder feedHeap(byte[] in, int[] cuts) {
        return feed(in, cuts, (off, len) -> UNTRACKED.heapBuffer(len).writeBytes(in, off, len), true);
    }

    private static Recorder feedPooledDirect(byte[] in, int[] cuts) {
        return feed(in, cuts,
                (off, len) -> PooledByteBufAllocator.DEFAULT.directBuffer(Math.max(len, 1)).writeBytes(in, off, len),
                false);
    }

    private interface Chunker {
        ByteBuf chunk(int offset, int length);
    }

    /**
     * Feeds {@code in} cut at {@code cuts} (ascending) and checks the bytes round-trip. {@code checkRefCnt}: whether
     * the chunks can be checked for release (a released pooled buffer may already serve another allocation).
     */
    private static Recorder feed(byte[] in, int[] cuts, Chunker chunker, boolean checkRefCnt) {
        Recorder r = new Recorder();
        SseFramer framer = new SseFramer(r, ProviderConfig.DEFAULT_MAX_SSE_EVENT_BYTES);
        List<ByteBuf> chunks = new ArrayList<>();
        int from = 0;
        for (int i = 0; i <= cuts.length; i++) {
            int to = i < cuts.length ? cuts[i] : in.length;
            ByteBuf chunk = chunker.chunk(from, to - from);
            if (checkRefCnt) {
                chunks.add(chunk);
            }
            framer.feed(chunk);
            from = to;
        }
        framer.finish();
        assertArrayEquals(in, r.bytes());
        for (ByteBuf chunk : chunks) {
            assertEquals(0, chunk.refCnt());
        }
        return r;
    }
}
