package dev.llmgateway.bench.jmh;

import com.fasterxml.jackson.core.io.SerializedString;
import dev.llmgateway.bench.ChatPayloads;
import dev.llmgateway.json.JsonSpans;
import dev.llmgateway.json.JsonSplice;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The rewrite relay's per-event cost: find the top-level {@code model} in one chunk event's data and splice the
 * client's alias in. {@code direct} is the buffer a socket read yields (non-blocking parser over NIO views);
 * {@code heap} shows what the array-backed path costs for comparison.
 */
public class ModelSpliceBenchmark extends AbstractMicrobenchmark {
    private static final SerializedString MODEL = new SerializedString("model");

    @Param({"direct", "heap"})
    public String buffer;

    private final PooledByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
    private ByteBuf event;
    private ByteBuf alias;
    private int dataOffset;
    private int dataLength;

    @Setup
    public void setUp() throws IOException {
        byte[] bytes = ChatPayloads.chunkEvent(ChatPayloads.UPSTREAM_MODEL, " token");
        event = (buffer.equals("direct") ? alloc.directBuffer(bytes.length) : alloc.heapBuffer(bytes.length))
                .writeBytes(bytes);
        // The data value: after "data: ", before the blank line.
        dataOffset = "data: ".length();
        dataLength = bytes.length - dataOffset - 2;
        alias = JsonSplice.quoted(ChatPayloads.CLIENT_MODEL);
        // Timing a splice that writes the wrong bytes would be worthless: check the result once.
        ByteBuf spliced = splice();
        String text = spliced.toString(StandardCharsets.UTF_8);
        spliced.release();
        if (!text.contains("\"model\":\"" + ChatPayloads.CLIENT_MODEL + "\",")) {
            throw new IllegalStateException("splice produced: " + text);
        }
    }

    @TearDown
    public void tearDown() {
        event.release();
    }

    @Benchmark
    public int findAndSplice() throws IOException {
        ByteBuf spliced = splice();
        int size = spliced.readableBytes();
        spliced.release();
        return size;
    }

    private ByteBuf splice() throws IOException {
        long span = JsonSpans.findTopLevelString(event, dataOffset, dataLength, MODEL);
        return JsonSplice.replace(alloc, event.retainedDuplicate(), JsonSpans.start(span), JsonSpans.end(span),
                alias);
    }
}
