package dev.llmgateway.bench.jmh;

import dev.llmgateway.bench.ChatPayloads;
import dev.llmgateway.exchange.RequestFacts;
import dev.llmgateway.exchange.RequestBodyScanner;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Routing's read of a request body: one streaming pass that validates the JSON and picks out model, stream and
 * stream_options. Its cost grows with the body (the whole body is validated), hence a short and a long chat.
 */
public class ModelExtractBenchmark extends AbstractMicrobenchmark {
    @Param({"1024", "102400"})
    public int bodyBytes;

    private ByteBuf body;

    @Setup
    public void setUp() {
        byte[] bytes = ChatPayloads.chatRequest(ChatPayloads.CLIENT_MODEL, true, 256, bodyBytes);
        body = PooledByteBufAllocator.DEFAULT.directBuffer(bytes.length).writeBytes(bytes);
    }

    @TearDown
    public void tearDown() {
        body.release();
    }

    @Benchmark
    public RequestFacts scan() throws RequestBodyScanner.InvalidBody {
        return RequestBodyScanner.scan(body);
    }
}
