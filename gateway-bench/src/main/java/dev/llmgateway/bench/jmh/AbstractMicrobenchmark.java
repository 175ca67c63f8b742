package dev.llmgateway.bench.jmh;

import io.netty.util.concurrent.DefaultThreadFactory;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Settings every microbenchmark shares, so results are comparable: one fork, leak detection off (its sampling
 * allocates and would show up in {@code -prof gc}), assertions off, a fixed collector, and benchmark threads that
 * are Netty {@code FastThreadLocalThread}s like the gateway's event loops: Netty 4.2 recycles pooled slices and
 * duplicates only on such threads, so on a plain JMH thread every slice would be a fresh allocation the gateway
 * never makes. Command-line options ({@code -f -wi -i -r -w}) still override these for smoke runs.
 */
@Fork(value = 1, jvmArgsAppend = {"-Dio.netty.leakDetection.level=disabled", "-da", "-XX:+UseParallelGC",
        "-Djmh.executor=CUSTOM",
        "-Djmh.executor.class=dev.llmgateway.bench.jmh.AbstractMicrobenchmark$EventLoopLikeExecutor"})
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public abstract class AbstractMicrobenchmark {

    /** JMH's benchmark-thread pool (jmh.executor=CUSTOM needs the (int, String) constructor). */
    public static final class EventLoopLikeExecutor extends ThreadPoolExecutor {
        public EventLoopLikeExecutor(int threads, String prefix) {
            super(threads, threads, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
                    new DefaultThreadFactory(prefix));
        }
    }
}
