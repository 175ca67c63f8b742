package dev.llmgateway.bench.load;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Every run of one command as one markdown table, to paste into a README: a row per workload and target, with the
 * command, the machine and the settings above it and what the columns mean below it.
 */
final class MarkdownSummary {
    private MarkdownSummary() {
    }

    static String render(HarnessOptions.Plan plan, List<LoadHarness.RunReport> reports) {
        HarnessOptions first = plan.runs().get(0);
        StringBuilder md = new StringBuilder();
        md.append("### gateway-bench, ").append(LocalDate.now()).append("\n\n");
        md.append("`").append(plan.command()).append("`\n\n");
        md.append(machine(reports.stream().anyMatch(r -> r.options().usesWrk()))).append("; gateway JVM `")
                .append(String.join(" ", first.gatewayJavaOpts())).append("`, one event loop; access log ")
                .append(first.accessLog() ? "on (gateway: JSON lines to stdout, its default; nginx: JSON lines to "
                        + "stdout, unbuffered)" : "**off** in both proxies")
                .append(String.format(Locale.ROOT, "; %s s warm-up, then %s s measured per target.%n%n",
                        number(first.warmupSeconds()), number(first.durationSeconds())));
        md.append("| workload | target | throughput | p50 | p99 | added p50 | added p99 | CPU s/1k req | peak RSS MiB "
                + "| notes |\n|---|---|---|---|---|---|---|---|---|---|\n");
        List<String> notes = new ArrayList<>(plan.notes());
        for (LoadHarness.RunReport report : reports) {
            rows(md, report.options(), report.results());
            for (String note : ResultTable.notes(report.options(), report.results())) {
                notes.add(report.options().label() + ": " + note);
            }
            for (String warning : report.warnings()) {
                notes.add("**" + report.options().label() + "**: " + warning);
            }
        }
        md.append("\n");
        for (String note : notes) {
            md.append("- ").append(note).append('\n');
        }
        md.append("""
                - *split*: the proxy alone on cpu 1, load generator and mock upstream on cpu 0 (`direct` then has one \
                core less than a proxy, so compare nginx with the gateway); *shared*: all on cpu 0.
                - p50/p99: of the measure the workload cell names; *added*: the same percentile minus direct's, same \
                run. CPU: the proxy's user + system time in the window per 1,000 requests; peak RSS: its VmHWM.
                """);
        return md.toString();
    }

    private static void rows(StringBuilder md, HarnessOptions options, List<TargetResult> results) {
        Function<LoadResult, Histogram> measure = Measure.of(options).histogram;
        TargetResult direct = ResultTable.find(results, "direct");
        boolean firstRow = true;
        for (TargetResult result : results) {
            md.append("| ").append(firstRow ? workloadCell(options) : "").append(" | ").append(result.name())
                    .append(" | ");
            firstRow = false;
            if (!result.measured()) {
                md.append("| | | | | | | FAILED: ").append(result.failure().lines().findFirst().orElse(""))
                        .append(" |\n");
                continue;
            }
            LoadResult load = result.load();
            long[] p = {measure.apply(load).getValueAtPercentile(50), measure.apply(load).getValueAtPercentile(99)};
            long[] added = result == direct ? null : ResultTable.difference(result, direct, measure);
            md.append(throughput(options, load)).append(" | ")
                    .append(micros(p[0], false)).append(" | ").append(micros(p[1], false)).append(" | ")
                    .append(added == null ? "" : micros(added[0], true)).append(" | ")
                    .append(added == null ? "" : micros(added[2], true)).append(" | ")
                    .append(Double.isNaN(result.cpuSecondsPerThousand()) ? ""
                            : String.format(Locale.ROOT, "%.3f", result.cpuSecondsPerThousand())).append(" | ")
                    .append(result.peakRssKib() < 0 ? "" : String.format(Locale.ROOT, "%.0f", result.peakRssKib()
                            / 1024.0)).append(" | ")
                    .append(notes(options, result, results)).append(" |\n");
        }
    }

    /** What a workload's p50 and p99 are of. */
    private enum Measure {
        LATENCY("latency", LoadResult::latency),
        FIRST_EVENT("time to first event", LoadResult::firstEvent),
        LONGEST_GAP("a stream's longest gap between events", LoadResult::longestGap),
        CANCEL_SEEN("the client's RST_STREAM → the upstream saw the stream end", LoadResult::latency);

        final String description;
        final Function<LoadResult, Histogram> histogram;

        Measure(String description, Function<LoadResult, Histogram> histogram) {
            this.description = description;
            this.histogram = histogram;
        }

        /** Open-loop streams are about their first event; held streams about stalls; the rest about latency. */
        static Measure of(HarnessOptions options) {
            if (options.mode() == HarnessOptions.LoadMode.HELD) {
                return LONGEST_GAP;
            }
            if (options.mode() == HarnessOptions.LoadMode.CANCEL) {
                return CANCEL_SEEN;
            }
            return options.measuresFirstEvent() && options.mode() == HarnessOptions.LoadMode.OPEN ? FIRST_EVENT
                    : LATENCY;
        }
    }

    private static String workloadCell(HarnessOptions options) {
        String load = switch (options.mode()) {
            case CLOSED -> "closed loop, %d conn.".formatted(options.connections());
            case OPEN -> "open loop %s/s, %d conn.".formatted(number(options.rate()), options.connections());
            case HELD -> "%,d streams held %s s, opened at %s/s".formatted(options.connections(),
                    number(options.durationSeconds()), number(options.rate()));
            case CANCEL -> "%,d streams reset by the client at their first event, one at a time"
                    .formatted(options.cancels());
        };
        if (options.clientHttp2()) {
            load += options.mode() == HarnessOptions.LoadMode.CANCEL ? ", h2c"
                    : " × %d streams, h2c".formatted(options.streamsPerConnection());
        }
        String answer = !options.stream() ? "1 KB JSON"
                : options.mode() == HarnessOptions.LoadMode.HELD ? "an event every %d ms".formatted(
                        options.eventDelayMs())
                : options.eventDelayMs() == 0 ? "%d events at once".formatted(options.events())
                : "%d events %d ms apart".formatted(options.events(), options.eventDelayMs());
        if (options.answerDelayMs() > 0) {
            answer += ", upstream answers after %d ms".formatted(options.answerDelayMs());
        }
        if (options.upstreamTls()) {
            answer += ", upstream over https";
        }
        if (options.upstreamHttp2()) {
            answer += ", the gateway's upstream on HTTP/2";
        }
        return "**%s**: %s, %s, %s%s; p50/p99 of %s".formatted(options.label(), load, answer,
                options.layout().name().toLowerCase(Locale.ROOT), options.usesWrk() ? ", load from wrk" : "",
                Measure.of(options).description);
    }

    private static String throughput(HarnessOptions options, LoadResult load) {
        if (options.mode() == HarnessOptions.LoadMode.HELD) {
            return String.format(Locale.ROOT, "%,d streams", load.sent());
        }
        if (options.mode() == HarnessOptions.LoadMode.CANCEL) {
            return String.format(Locale.ROOT, "%,d of %,d resets seen", load.requests(), load.sent());
        }
        if (options.stream()) {
            return String.format(Locale.ROOT, "%,.0f streams/s, %,.0f events/s", load.requestsPerSecond(),
                    load.eventsPerSecond());
        }
        return String.format(Locale.ROOT, "%,.0f req/s", load.requestsPerSecond());
    }

    private static String notes(HarnessOptions options, TargetResult result, List<TargetResult> results) {
        TargetResult direct = ResultTable.find(results, "direct");
        List<String> notes = new ArrayList<>();
        LoadResult load = result.load();
        if (load.errors() + load.incomplete() > 0) {
            notes.add("**errors: %d**".formatted(load.errors() + load.incomplete()));
        }
        if (options.measuresTimePerEvent()) {
            double p50 = ResultTable.perEvent(options, result, 50);
            double p99 = ResultTable.perEvent(options, result, 99);
            if (result == direct || direct == null || !direct.measured()) {
                notes.add(String.format(Locale.ROOT, "per event %.1f / %.1f µs", p50, p99));
            } else {
                double added50 = p50 - ResultTable.perEvent(options, direct, 50);
                double added99 = p99 - ResultTable.perEvent(options, direct, 99);
                notes.add(String.format(Locale.ROOT, "per event added %+.1f / %+.1f µs", added50, added99));
            }
        }
        if (options.mode() == HarnessOptions.LoadMode.HELD) {
            notes.add("stalled: %d".formatted(ResultTable.stalls(options, load))
                    + (load.incomplete() > 0 ? " (%d unfinished)".formatted(load.incomplete()) : ""));
            TargetResult.Held held = result.held();
            if (held != null) {
                notes.add("RSS idle %.0f → %.0f MiB with all open".formatted(held.idleRssKib() / 1024.0,
                        held.openRssKib() / 1024.0));
                if (!Double.isNaN(held.cpuShare())) {
                    notes.add("CPU %.0f%%".formatted(held.cpuShare() * 100));
                }
            }
        }
        TargetResult.Upstream upstream = result.upstream();
        if (upstream != null && (options.involvesHttp2() || options.mode() == HarnessOptions.LoadMode.HELD)) {
            notes.add(options.mode() == HarnessOptions.LoadMode.CANCEL ? "upstream " + upstream.protocol()
                    : "upstream %s, %,d conn. at most".formatted(upstream.protocol(), upstream.peakOpen()));
        }
        double ratio = ResultTable.translatedRatio(results);
        if (result.name().equals("gateway-translated") && !Double.isNaN(ratio)) {
            notes.add(String.format(Locale.ROOT, "%.2f× the gateway's pass-through", ratio));
        }
        double sharedRatio = ResultTable.sharedRatio(results);
        long[] sharedAdded = ResultTable.sharedAdded(results);
        if (result.name().equals("gateway-shared") && !Double.isNaN(sharedRatio) && sharedAdded != null) {
            notes.add(String.format(Locale.ROOT, "%.2f× gateway-limits' req/s; %+d µs p50, %+d µs p99 over it",
                    sharedRatio, sharedAdded[0], sharedAdded[2]));
        }
        return String.join("; ", notes);
    }

    private static String micros(long value, boolean signed) {
        return String.format(Locale.ROOT, signed ? "%+,d µs" : "%,d µs", value);
    }

    private static String number(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
    }

    /** The CPU, its count, the JDK and the comparison tools, as far as this machine tells. */
    private static String machine(boolean wrk) {
        String cpu = "unknown CPU";
        long cpus = 0;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name") && cpus++ == 0) {
                    cpu = line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException e) {
            // Not Linux: the summary goes without the CPU.
        }
        List<String> parts = new ArrayList<>(List.of(cpus > 0 ? cpus + " × " + cpu : cpu,
                "JDK " + System.getProperty("java.runtime.version")));
        Proxies.findOnPath("nginx").map(nginx -> firstLine(nginx.toString(), "-v")).ifPresent(parts::add);
        if (wrk) {
            Proxies.findOnPath("wrk").map(path -> firstLine(path.toString(), "-v")).ifPresent(parts::add);
        }
        return String.join(", ", parts);
    }

    private static String firstLine(String... command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            process.waitFor();
            return out.lines().findFirst().orElse("").replace("nginx version: ", "").replaceAll(" Copyright.*", "");
        } catch (IOException e) {
            return command[0] + " (no version)";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return command[0];
        }
    }
}
