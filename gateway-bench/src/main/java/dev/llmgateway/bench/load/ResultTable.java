package dev.llmgateway.bench.load;

import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * The console table of one run: one row per target, then what each proxy adds over direct at each percentile, and
 * the sections its workload calls for (first event, time per event, held streams, translation). The figures the
 * other reports share are computed here.
 */
final class ResultTable {
    static final double[] PERCENTILES = {50, 90, 99, 99.9};
    static final String[] PERCENTILE_NAMES = {"p50", "p90", "p99", "p99.9"};
    /** What the translating gateway should reach of its own pass-through's streams per second. */
    static final double TRANSLATED_TARGET = 0.8;
    static final double SHARED_THROUGHPUT_TARGET = 0.8;
    static final long SHARED_ADDED_P99_TARGET_MICROS = 200;
    /** Issue 18: 1,000 concurrent streams over at most this many upstream connections on HTTP/2. */
    static final int H2_CONNECTIONS_TARGET = 10;
    /** Issue 18: a cancelled h2 stream is reset upstream within this long. */
    static final long CANCEL_TARGET_MICROS = 10_000;

    private ResultTable() {
    }

    static String render(HarnessOptions options, List<TargetResult> results) {
        if (options.mode() == HarnessOptions.LoadMode.CANCEL) {
            return cancels(options, results);
        }
        StringBuilder out = new StringBuilder();
        boolean stream = options.stream();
        out.append(String.format(Locale.ROOT, "%-18s %9s%s %9s %9s %9s %9s %8s %13s %13s%n", "target", "req/s",
                stream ? String.format(Locale.ROOT, " %10s", "events/s") : "", "p50 µs", "p90 µs", "p99 µs",
                "p99.9 µs", "errors", "CPU s/1k req", "peak RSS MiB"));
        for (TargetResult result : results) {
            if (!result.measured()) {
                String why = result.failure().lines().findFirst().orElse("");
                out.append(String.format(Locale.ROOT, "%-18s FAILED: %s%n", result.name(),
                        why.length() > 160 ? why.substring(0, 160) + " ..." : why));
                continue;
            }
            LoadResult load = result.load();
            long[] p = percentiles(load.latency());
            out.append(String.format(Locale.ROOT, "%-18s %9.0f%s %9d %9d %9d %9d %8d %13s %13s%n", result.name(),
                    load.requestsPerSecond(),
                    stream ? String.format(Locale.ROOT, " %10.0f", load.eventsPerSecond()) : "", p[0], p[1], p[2],
                    p[3], load.errors() + load.incomplete(),
                    Double.isNaN(result.cpuSecondsPerThousand()) ? "-"
                            : String.format(Locale.ROOT, "%.3f", result.cpuSecondsPerThousand()),
                    result.peakRssKib() < 0 ? "-" : String.format(Locale.ROOT, "%.1f", result.peakRssKib() / 1024.0)));
        }
        added(out, "latency added (µs, same percentile)", results, LoadResult::latency);
        if (options.measuresFirstEvent()) {
            section(out, "time to first event", results, LoadResult::firstEvent);
            added(out, "TTFE added (µs)", results, LoadResult::firstEvent);
        }
        if (options.measuresTimePerEvent()) {
            out.append(String.format(Locale.ROOT, "%n%-22s %9s %9s   (first to last event ÷ %d intervals)%n",
                    "time per event (µs)", "p50", "p99", options.events() - 1));
            for (TargetResult result : results) {
                if (result.measured()) {
                    out.append(String.format(Locale.ROOT, "%-22s %9.1f %9.1f%n", result.name(),
                            perEvent(options, result, 50), perEvent(options, result, 99)));
                }
            }
            TargetResult direct = find(results, "direct");
            for (TargetResult result : results) {
                if (result.measured() && direct != null && direct.measured() && result != direct) {
                    out.append(String.format(Locale.ROOT, "%-22s %+9.1f %+9.1f%n", result.name() + " - direct",
                            perEvent(options, result, 50) - perEvent(options, direct, 50),
                            perEvent(options, result, 99) - perEvent(options, direct, 99)));
                }
            }
        }
        if (options.mode() == HarnessOptions.LoadMode.HELD) {
            held(out, options, results);
        }
        upstreamConnections(out, results);
        notes(options, results).forEach(note -> out.append('\n').append(note).append('\n'));
        return out.toString();
    }

    /** Lines a reader needs beside the figures: a missing column, a ratio or count against the target. */
    static List<String> notes(HarnessOptions options, List<TargetResult> results) {
        List<String> notes = new ArrayList<>();
        TargetResult translated = find(results, "gateway-translated");
        if (translated == null) {
            notes.addAll(sharedNotes(results));
        } else {
            String nginx = options.targets().contains("nginx") ? ""
                    : "nginx: no column, it cannot translate between OpenAI and Anthropic. ";
            double ratio = translatedRatio(results);
            notes.add(nginx + (Double.isNaN(ratio) ? ""
                    : String.format(Locale.ROOT, "translated ÷ pass-through streams/s: %.2f (target ≥ %.1f: %s)",
                            ratio, TRANSLATED_TARGET, ratio >= TRANSLATED_TARGET ? "met" : "not met")));
        }
        if (options.targets().contains("nginx") && (options.upstreamHttp2()
                || options.targets().contains(HarnessOptions.GATEWAY_UPSTREAM_H2))) {
            notes.add("nginx: HTTP/1.1 to the upstream (proxy_pass cannot speak HTTP/2 to an upstream)");
        }
        for (TargetResult result : results) {
            TargetResult.Upstream upstream = result.upstream();
            if (options.mode() == HarnessOptions.LoadMode.HELD && upstream != null && result.measured()
                    && upstream.protocol().startsWith("HTTP/2")) {
                notes.add(String.format(Locale.ROOT, "%s: %,d streams held over %d upstream connections (%s; "
                                + "target at 1,000 streams ≤ %d: %s)", result.name(), result.load().sent(),
                        upstream.peakOpen(), upstream.protocol(), H2_CONNECTIONS_TARGET,
                        upstream.peakOpen() <= H2_CONNECTIONS_TARGET ? "met" : "not met"));
            }
            if (options.mode() == HarnessOptions.LoadMode.CANCEL && result.measured() && result.load().requests() > 0
                    && !result.name().equals("direct")) {
                long p99 = result.load().latency().getValueAtPercentile(99);
                notes.add(String.format(Locale.ROOT, "%s: client reset → upstream saw it, p99 %,d µs over %s "
                                + "(target ≤ %,d µs: %s)", result.name(), p99, upstream == null ? "?"
                                : upstream.protocol(), CANCEL_TARGET_MICROS,
                        p99 <= CANCEL_TARGET_MICROS ? "met" : "not met"));
            }
        }
        return notes.stream().filter(note -> !note.isEmpty()).toList();
    }

    /** The connections each target had open to the mock: kept-alive ones and those it opened in the window. */
    private static void upstreamConnections(StringBuilder out, List<TargetResult> results) {
        if (results.stream().noneMatch(result -> result.upstream() != null)) {
            return;
        }
        out.append(String.format(Locale.ROOT, "%n%-18s %-18s %10s %10s%n", "upstream", "protocol", "peak open",
                "opened"));
        for (TargetResult result : results) {
            TargetResult.Upstream upstream = result.upstream();
            if (upstream != null) {
                out.append(String.format(Locale.ROOT, "%-18s %-18s %10d %10d%n", result.name(), upstream.protocol(),
                        upstream.peakOpen(), upstream.opened()));
            }
        }
        out.append("(connections to the mock upstream in the measured window: the most open at once, kept-alive "
                + "ones included, and those opened in it; direct's are the load's own)\n");
    }

    /** Cancel mode: per target, the time from the client's RST_STREAM to the upstream seeing its stream end. */
    private static String cancels(HarnessOptions options, List<TargetResult> results) {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "%-18s %-18s %7s %7s %7s %9s %9s %9s %9s %9s%n", "target",
                "upstream", "seen", "missed", "failed", "p50 µs", "p90 µs", "p99 µs", "p99.9 µs", "max µs"));
        for (TargetResult result : results) {
            if (!result.measured()) {
                out.append(String.format(Locale.ROOT, "%-18s FAILED: %s%n", result.name(),
                        result.failure().lines().findFirst().orElse("")));
                continue;
            }
            LoadResult load = result.load();
            long[] p = percentiles(load.latency());
            out.append(String.format(Locale.ROOT, "%-18s %-18s %7d %7d %7d %9d %9d %9d %9d %9d%n", result.name(),
                    result.upstream() == null ? "-" : result.upstream().protocol(), load.requests(),
                    load.incomplete(), load.errors(), p[0], p[1], p[2], p[3], load.latency().getMaxValue()));
        }
        out.append(String.format(Locale.ROOT, "(client's reset → the mock saw the stream end: its HTTP/2 stream reset "
                + "or its HTTP/1.1 connection closed; missed: not within %d ms; failed: no first event)%n",
                HarnessOptions.CANCEL_TIMEOUT_MILLIS));
        added(out, "reset time added (µs)", results, LoadResult::latency);
        notes(options, results).forEach(note -> out.append('\n').append(note).append('\n'));
        return out.toString();
    }

    /** What sharing the limits in Redis costs over counting them per replica, against the targets. */
    private static List<String> sharedNotes(List<TargetResult> results) {
        TargetResult shared = find(results, "gateway-shared");
        TargetResult local = find(results, "gateway-limits");
        if (shared == null || local == null || !shared.measured() || !local.measured()) {
            return List.of();
        }
        double ratio = sharedRatio(results);
        long[] added = sharedAdded(results);
        return List.of(String.format(Locale.ROOT, "shared ÷ per-replica limits req/s: %.2f (target ≥ %.1f: %s); "
                        + "shared over per-replica limits: %+d µs p50, %+d µs p99 (target p99 ≤ +%d µs: %s)", ratio,
                SHARED_THROUGHPUT_TARGET, ratio >= SHARED_THROUGHPUT_TARGET ? "met" : "not met", added[0], added[2],
                SHARED_ADDED_P99_TARGET_MICROS, added[2] <= SHARED_ADDED_P99_TARGET_MICROS ? "met" : "not met"));
    }

    /** gateway-shared's latency percentiles ({@link #PERCENTILES}) minus gateway-limits'; null without both. */
    static long[] sharedAdded(List<TargetResult> results) {
        return difference(find(results, "gateway-shared"), find(results, "gateway-limits"), LoadResult::latency);
    }

    /** gateway-shared's requests per second over gateway-limits'; NaN without both. */
    static double sharedRatio(List<TargetResult> results) {
        TargetResult shared = find(results, "gateway-shared");
        TargetResult local = find(results, "gateway-limits");
        if (shared == null || local == null || !shared.measured() || !local.measured()) {
            return Double.NaN;
        }
        return shared.load().requestsPerSecond() / local.load().requestsPerSecond();
    }

    /** gateway-translated's streams per second over the gateway's pass-through ones; NaN without both. */
    static double translatedRatio(List<TargetResult> results) {
        TargetResult translated = find(results, "gateway-translated");
        TargetResult passThrough = find(results, "gateway");
        if (translated == null || passThrough == null || !translated.measured() || !passThrough.measured()) {
            return Double.NaN;
        }
        return translated.load().requestsPerSecond() / passThrough.load().requestsPerSecond();
    }

    /** The {@code percentile} of a stream's first-to-last-event time, per interval between events, in µs. */
    static double perEvent(HarnessOptions options, TargetResult result, double percentile) {
        return result.load().eventSpan().getValueAtPercentile(percentile) / (double) (options.events() - 1);
    }

    /** Streams whose longest silence between two events was over twice the pace. */
    static long stalls(HarnessOptions options, LoadResult load) {
        Histogram gaps = load.longestGap();
        long threshold = 2 * options.eventDelayMs() * 1000;
        return gaps.getMaxValue() <= threshold ? 0 : gaps.getCountBetweenValues(threshold + 1, gaps.getMaxValue());
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

    private static void held(StringBuilder out, HarnessOptions options, List<TargetResult> results) {
        out.append(String.format(Locale.ROOT, "%n%-18s %8s %8s %10s %19s %10s %10s %10s %8s%n", "held streams",
                "opened", "stalled", "unfinished", "longest gap p50/p99", "idle RSS", "open RSS", "VmHWM", "CPU"));
        for (TargetResult result : results) {
            if (!result.measured()) {
                continue;
            }
            LoadResult load = result.load();
            TargetResult.Held held = result.held();
            out.append(String.format(Locale.ROOT, "%-18s %8d %8d %10d %19s %10s %10s %10s %8s%n", result.name(),
                    load.sent(), stalls(options, load), load.incomplete(),
                    String.format(Locale.ROOT, "%.1f/%.1f ms", load.longestGap().getValueAtPercentile(50) / 1000.0,
                            load.longestGap().getValueAtPercentile(99) / 1000.0),
                    held == null ? "-" : mib(held.idleRssKib()), held == null ? "-" : mib(held.openRssKib()),
                    result.peakRssKib() < 0 ? "-" : mib(result.peakRssKib()),
                    held == null || Double.isNaN(held.cpuShare()) ? "-"
                            : String.format(Locale.ROOT, "%.0f%%", held.cpuShare() * 100)));
        }
        out.append(String.format(Locale.ROOT, "(stalled: once waited over %d ms, twice the pace, for its next event, "
                + "unfinished ones included; unfinished: still open %.0f s after the last one opened and should have "
                + "ended; CPU: of one core while all were open)%n", 2 * options.eventDelayMs(),
                options.drainSeconds() - options.durationSeconds()));
    }

    static String mib(long kib) {
        return String.format(Locale.ROOT, "%.1f MiB", kib / 1024.0);
    }

    private static void section(StringBuilder out, String title, List<TargetResult> results,
                                Function<LoadResult, Histogram> metric) {
        out.append(String.format(Locale.ROOT, "%n%-22s %9s %9s %9s %9s%n", title, "p50 µs", "p90 µs", "p99 µs",
                "p99.9 µs"));
        for (TargetResult result : results) {
            if (result.measured()) {
                long[] p = percentiles(metric.apply(result.load()));
                out.append(String.format(Locale.ROOT, "%-22s %9d %9d %9d %9d%n", result.name(), p[0], p[1], p[2],
                        p[3]));
            }
        }
    }

    private static void added(StringBuilder out, String title, List<TargetResult> results,
                              Function<LoadResult, Histogram> metric) {
        TargetResult direct = find(results, "direct");
        TargetResult nginx = find(results, "nginx");
        StringBuilder section = new StringBuilder();
        for (TargetResult result : results) {
            if (result.name().equals("direct")) {
                continue;
            }
            appendDelta(section, result.name() + " - direct", difference(result, direct, metric));
            if (result.name().startsWith("gateway")) {
                appendDelta(section, result.name() + " - nginx", difference(result, nginx, metric));
            }
        }
        if (!section.isEmpty()) {
            out.append(String.format(Locale.ROOT, "%n%-26s %9s %9s %9s %9s%n", title, "p50", "p90", "p99", "p99.9"))
                    .append(section);
        }
    }

    private static void appendDelta(StringBuilder out, String name, long[] d) {
        if (d != null) {
            out.append(String.format(Locale.ROOT, "%-26s %+9d %+9d %+9d %+9d%n", name, d[0], d[1], d[2], d[3]));
        }
    }
}
