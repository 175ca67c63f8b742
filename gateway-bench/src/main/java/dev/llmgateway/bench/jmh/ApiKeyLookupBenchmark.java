package dev.llmgateway.bench.jmh;

import dev.llmgateway.auth.KeyTable;
import dev.llmgateway.exchange.Principal;
import dev.llmgateway.config.ApiKeyConfig;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

import java.util.ArrayList;
import java.util.List;

/** Authentication's per-request lookup, for a key that is configured and for one that is not. */
public class ApiKeyLookupBenchmark extends AbstractMicrobenchmark {
    @Param({"1000"})
    public int keys;

    private KeyTable table;
    private String known;
    private String unknown;

    @Setup
    public void setUp() {
        List<ApiKeyConfig> configs = new ArrayList<>(keys);
        for (int i = 0; i < keys; i++) {
            configs.add(new ApiKeyConfig("app-" + i, key(i), List.of("*")));
        }
        table = new KeyTable(configs);
        known = key(keys / 2);
        unknown = key(keys + 1);
        if (table.find(known) == null || table.find(unknown) != null) {
            throw new IllegalStateException("key table does not answer as configured");
        }
    }

    @Benchmark
    public Principal findKnown() {
        return table.find(known);
    }

    @Benchmark
    public Principal findUnknown() {
        return table.find(unknown);
    }

    /** Shaped like real provider keys: a prefix and 48 characters. */
    private static String key(int i) {
        return "sk-bench-%048d".formatted(i);
    }
}
