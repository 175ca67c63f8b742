package dev.llmgateway.metrics;

import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocatorMetric;
import io.netty.util.internal.PlatformDependent;
import io.prometheus.client.Collector;
import io.prometheus.client.GaugeMetricFamily;

import java.util.ArrayList;
import java.util.List;

/**
 * Netty's off-heap memory, read at scrape time: what its own direct-memory counter holds (buffers Netty allocated
 * without a JVM cleaner, invisible to the JVM's buffer-pool metrics) and what the pooled allocator the gateway's
 * channels use has in its arenas. A steady climb here is the first sign of a buffer leak.
 */
final class NettyMemoryCollector extends Collector {
    @Override
    public List<MetricFamilySamples> collect() {
        List<MetricFamilySamples> families = new ArrayList<>(3);
        long direct = PlatformDependent.usedDirectMemory();
        // -1 means Netty is not counting (its cleaner-less buffers are off); then the JVM's direct pool has it all.
        if (direct >= 0) {
            families.add(new GaugeMetricFamily("netty_direct_memory_used_bytes",
                    "Direct memory allocated by Netty without a JVM cleaner.", direct));
        }
        PooledByteBufAllocatorMetric pooled = PooledByteBufAllocator.DEFAULT.metric();
        families.add(new GaugeMetricFamily("netty_pooled_allocator_used_direct_bytes",
                "Direct memory held by the pooled allocator's arenas.", pooled.usedDirectMemory()));
        families.add(new GaugeMetricFamily("netty_pooled_allocator_used_heap_bytes",
                "Heap memory held by the pooled allocator's arenas.", pooled.usedHeapMemory()));
        return families;
    }
}
