package dev.llmgateway.bench.load;

import org.HdrHistogram.Histogram;

import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/** The console table: one row per target, then the latency each proxy adds over direct at each percentile. */
final class ResultTable {
    static final double[] PERCENTILES = {50, 90, 99, 99.9};
    static final String[] PERCENTILE_NAMES = {"p50", "p90", "p99", "p99.9"};

    private ResultTable() {
    }

    static String render(HarnessOptions options, List<TargetResult> results) {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "%-10s %9s %9s %9s %9s %9s %8s %13s %13s%n", "target", "req/s",
                "p50 µs", "p90 µs", "p99 µs", "p99.9 µs", "errors", "CPU s/1k req", "peak RSS MiB"));
        for (TargetResult result : results) {
            if (!result.measured()) {
                String why = result.failure().lines().findFirst().orElse("");
                out.append(String.format(Locale.ROOT, "%-10s FAILED: %s%n", result.name(),
                        why.length() > 160 ? why.substring(0, 160) + " ..." : why));
                continue;
            }
            LoadResult load = result.load();
            long[] p = percentiles(load.latency());
            out.append(String.format(Locale.ROOT, "%-10s %9.0f %9d %9d %9d %9d %8d %13s %13s%n", result.name(),
                    load.requestsPerSecond(), p[0], p[1], p[2], p[3], load.errors() + load.incomplete(),
                    Double.isNaN(result.cpuSecondsPerThousand()) ? "-"
                            : String.format(Locale.ROOT, "%.3f", result.cpuSecondsPerThousand()),
                    result.peakRssKib() < 0 ? "-" : String.format(Locale.ROOT, "%.1f", result.peakRssKib() / 1024.0)));
        }
        added(out, "latency added (µs, same percentile)", results, LoadResult::latency);
        if (options.stream()) {
            out.append(String.format(Locale.ROOT, "%n%-22s %9s %9s %9s %9s%n", "time to first event",
                    "p50 µs", "p90 µs", "p99 µs", "p99.9 µs"));
            for (TargetResult result : results) {
                if (result.measured()) {
                    long[] p = percentiles(result.load().firstEvent());
                    out.append(String.format(Locale.ROOT, "%-22s %9d %9d %9d %9d%n", result.name(), p[0], p[1], p[2],
                            p[3]));
                }
            }
            added(out, "TTFE added (µs)", results, LoadResult::firstEvent);
        }
        return out.toString();
    }

    static long[] percentiles(Histogram histogram) {
        long[] values = new long[PERCENTILES.length];
        for (int i = 0; i < values.length; i++) {
            values[i] = histogram.getValueAtPercentile(PERCENTILES[i]);
        }
        return values;
    }

    /** {@code of}'s percentiles minus {@code base}'s; null when either was not measured. */
    static long[] difference(TargetResult of, TargetResult base, Function<LoadResult, Histogram> metric) {
        if (of == null || base == null || !of.measured() || !base.measured()) {
            return null;
        }
        long[] a = percentiles(metric.apply(of.load()));
        long[] b = percentiles(metric.apply(base.load()));
        long[] delta = new long[a.length];
        for (int i = 0; i < a.length; i++) {
            delta[i] = a[i] - b[i];
        }
        return delta;
    }

    static TargetResult find(List<TargetResult> results, String name) {
        return results.stream().filter(r -> r.name().equals(name)).findFirst().orElse(null);
    }

    private static void added(StringBuilder out, String title, List<TargetResult> results,
                              Function<LoadResult, Histogram> metric) {
        TargetResult direct = find(results, "direct");
        TargetResult nginx = find(results, "nginx");
        TargetResult gateway = find(results, "gateway");
        String[] names = {"nginx - direct", "gateway - direct", "gateway - nginx"};
        long[][] deltas = {difference(nginx, direct, metric), difference(gateway, direct, metric),
                difference(gateway, nginx, metric)};
        StringBuilder section = new StringBuilder();
        for (int i = 0; i < names.length; i++) {
            long[] d = deltas[i];
            if (d != null) {
                section.append(String.format(Locale.ROOT, "%-22s %+9d %+9d %+9d %+9d%n", names[i], d[0], d[1], d[2],
                        d[3]));
            }
        }
        if (!section.isEmpty()) {
            out.append(String.format(Locale.ROOT, "%n%-22s %9s %9s %9s %9s%n", title, "p50", "p90", "p99", "p99.9"))
                    .append(section);
        }
    }
}
