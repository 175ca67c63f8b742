package dev.llmgateway.bench.jmh;

import dev.llmgateway.bench.ChatPayloads;
import dev.llmgateway.dialect.openai.UsageReader;
import dev.llmgateway.json.SecretScrubber;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * What looking for the provider's keys in every streamed event would cost the relay: {@link SecretScrubber}
 * scanning one OpenAI chunk event (pooled direct buffer, as read) that holds none of them, for {@code keys} keys of
 * {@code keyLength} characters (39 is a Gemini key's length, 51 an OpenAI legacy one's, 164 a project key's).
 * {@link #usageScan} is the scan of the same event the relay already makes for usage; compare both with one
 * event's cost in {@code DownstreamPipelineBenchmark} ({@code -p stream=true -p events=20,120}) in the same run:
 * the README's "Provider keys" gives the figures that decided which events are scanned.
 */
public class SecretScanBenchmark extends AbstractMicrobenchmark {
    @Param({"1", "4"})
    public int keys;

    @Param({"39", "51", "164"})
    public int keyLength;

    private ByteBuf event;
    private SecretScrubber scrubber;

    @Setup
    public void setUp() {
        byte[] bytes = ChatPayloads.chunkEvent(ChatPayloads.UPSTREAM_MODEL, " token");
        event = PooledByteBufAllocator.DEFAULT.directBuffer(bytes.length).writeBytes(bytes);
        Random random = new Random(7);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        List<String> values = new ArrayList<>();
        for (int k = 0; k < keys; k++) {
            StringBuilder key = new StringBuilder("sk-");
            while (key.length() < keyLength) {
                key.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            values.add(key.toString());
        }
        scrubber = SecretScrubber.of(values);
        if (scrubber.occursIn(event, 0, event.writerIndex())) {
            throw new IllegalStateException("the event must hold no key");
        }
    }

    @TearDown
    public void tearDown() {
        event.release();
    }

    @Benchmark
    public boolean scanEvent() {
        return scrubber.occursIn(event, event.readerIndex(), event.writerIndex());
    }

    /** What the relay already scans every event for, the same way (its {@code "usage"} member): a yardstick. */
    @Benchmark
    public long usageScan() {
        return UsageReader.find(event, event.readerIndex(), event.readableBytes());
    }
}
