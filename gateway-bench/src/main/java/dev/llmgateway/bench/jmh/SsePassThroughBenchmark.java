package dev.llmgateway.bench.jmh;

import dev.llmgateway.config.ProviderConfig;
import dev.llmgateway.bench.ChatPayloads;
import dev.llmgateway.sse.SseEvent;
import dev.llmgateway.sse.SseFramer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The pass-through relay's per-event cost: frame one OpenAI chunk event that arrived in one read, and hand its
 * slice on (here: release it, as the socket write does once flushed). Steady state must allocate nothing: the
 * chunk and the slice are pooled, the event is a reused flyweight.
 */
public class SsePassThroughBenchmark extends AbstractMicrobenchmark {
    private ByteBuf chunk;
    private SseFramer framer;
    private Blackhole blackhole;

    @Setup
    public void setUp(Blackhole blackhole) {
        this.blackhole = blackhole;
        byte[] event = ChatPayloads.chunkEvent(ChatPayloads.UPSTREAM_MODEL, " token");
        chunk = PooledByteBufAllocator.DEFAULT.directBuffer(event.length).writeBytes(event);
        framer = new SseFramer(this::relay, ProviderConfig.DEFAULT_MAX_SSE_EVENT_BYTES);
    }

    @TearDown
    public void tearDown() {
        framer.release();
        chunk.release();
    }

    /** Each op feeds what a socket read would deliver: a buffer of its own (a pooled duplicate of the event). */
    @Benchmark
    public void frameAndRelay() {
        framer.feed(chunk.retainedDuplicate());
    }

    private void relay(SseEvent event) {
        // What a relay asks before it writes: is this the end of the stream, and where is the data.
        blackhole.consume(event.isDone());
        blackhole.consume(event.dataLength());
        event.content().release();
    }
}
