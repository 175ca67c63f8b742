package dev.llmgateway.dialect;

import dev.llmgateway.config.ProviderConfig;
import dev.llmgateway.sse.SseFramer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Feeds a provider stream's bytes to a decoder the way the network would: framed by the real {@link SseFramer},
 * in reads split at random places (mid-line, mid-UTF-8 character, many events in one read), each read in a fresh
 * direct buffer as the event loop would have it.
 */
public final class StreamSplits {
    private static final ByteBufAllocator DIRECT = PooledByteBufAllocator.DEFAULT;

    private StreamSplits() {
    }

    /** Read boundaries for {@code length} bytes: 1 to 5 random cuts per 100 bytes, always at least one. */
    public static List<Integer> randomCuts(int length, long seed) {
        Random random = new Random(seed);
        List<Integer> cuts = new ArrayList<>();
        int at = 0;
        while (at < length) {
            at += 1 + random.nextInt(Math.max(1, Math.min(64, length / 3)));
            cuts.add(Math.min(at, length));
        }
        return cuts;
    }

    /**
     * Runs {@code bytes} through framer and reader, cut at {@code cuts} (ascending read ends), then ends the
     * stream.
     *
     * @return what {@link AnswerDecoder#streamEnded()} said, or the malformed-event reason as an exception
     */
    public static boolean feed(byte[] bytes, List<Integer> cuts, AnswerDecoder decoder) {
        SseAnswerReader reader = new SseAnswerReader(decoder);
        SseFramer framer = new SseFramer(reader, ProviderConfig.DEFAULT_MAX_SSE_EVENT_BYTES);
        int from = 0;
        for (int cut : cuts) {
            ByteBuf read = DIRECT.directBuffer(cut - from).writeBytes(bytes, from, cut - from);
            framer.feed(read);
            from = cut;
        }
        framer.finish();
        if (reader.malformed() != null) {
            throw new IllegalStateException(reader.malformed());
        }
        return decoder.streamEnded();
    }

    /** {@link #feed} with random cuts from {@code seed}. */
    public static boolean feedRandomly(byte[] bytes, long seed, AnswerDecoder decoder) {
        return feed(bytes, randomCuts(bytes.length, seed), decoder);
    }
}
