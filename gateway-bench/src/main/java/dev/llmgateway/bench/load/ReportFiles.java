package dev.llmgateway.bench.load;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Writes a run's results.json, report.html (table + percentile plots, no external assets) and .hgrm files. */
final class ReportFiles {
    private static final Map<String, String> COLORS = Map.of("direct", "#777777", "nginx", "#2a9d8f",
            "gateway", "#e76f51", "gateway-translated", "#8e44ad");

    private ReportFiles() {
    }

    static void write(Path out, HarnessOptions options, List<TargetResult> results) throws IOException {
        writeJson(out.resolve("results.json"), options, results);
        writeHtml(out.resolve("report.html"), options, results);
        for (TargetResult result : results) {
            if (result.measured()) {
                writeHgrm(out.resolve(result.name() + "-latency.hgrm"), result.load().latency());
                if (options.measuresFirstEvent()) {
                    writeHgrm(out.resolve(result.name() + "-first-event.hgrm"), result.load().firstEvent());
                }
            }
        }
    }

    private static void writeJson(Path file, HarnessOptions options, List<TargetResult> results) throws IOException {
        try (OutputStream stream = Files.newOutputStream(file);
             JsonGenerator json = new JsonFactory().createGenerator(stream).useDefaultPrettyPrinter()) {
            json.writeStartObject();
            json.writeStringField("time", Instant.now().toString());
            json.writeStringField("workload", options.label());
            json.writeStringField("description", options.describe());
            json.writeObjectFieldStart("options");
            json.writeStringField("mode", options.mode().name().toLowerCase());
            json.writeNumberField("rate", options.rate());
            json.writeNumberField("connections", options.connections());
            json.writeNumberField("durationSeconds", options.durationSeconds());
            json.writeNumberField("warmupSeconds", options.warmupSeconds());
            json.writeBooleanField("stream", options.stream());
            json.writeNumberField("events", options.events());
            json.writeNumberField("eventDelayMs", options.eventDelayMs());
            json.writeNumberField("answerDelayMs", options.answerDelayMs());
            json.writeNumberField("requestBytes", options.requestBytes());
            json.writeStringField("layout", options.layout().name().toLowerCase());
            json.writeBooleanField("accessLog", options.accessLog());
            json.writeBooleanField("upstreamTls", options.upstreamTls());
            json.writeStringField("upstreamHttp", options.upstreamHttp2() ? "2" : "1.1");
            json.writeStringField("clientHttp", options.clientHttp2() ? "2" : "1.1");
            json.writeNumberField("streamsPerConnection", options.streamsPerConnection());
            if (options.mode() == HarnessOptions.LoadMode.CANCEL) {
                json.writeNumberField("cancels", options.cancels());
            }
            json.writeStringField("loadTool", options.usesWrk() ? "wrk" : "harness");
            json.writeEndObject();
            json.writeArrayFieldStart("targets");
            for (TargetResult result : results) {
                writeTarget(json, result, options, results);
            }
            json.writeEndArray();
            json.writeArrayFieldStart("notes");
            for (String note : ResultTable.notes(options, results)) {
                json.writeString(note);
            }
            json.writeEndArray();
            json.writeEndObject();
        }
    }

    private static void writeTarget(JsonGenerator json, TargetResult result, HarnessOptions options,
                                    List<TargetResult> all) throws IOException {
        json.writeStartObject();
        json.writeStringField("name", result.name());
        if (!result.measured()) {
            json.writeStringField("failure", result.failure());
            json.writeEndObject();
            return;
        }
        LoadResult load = result.load();
        json.writeNumberField("requestsPerSecond", Math.round(load.requestsPerSecond() * 10) / 10.0);
        json.writeNumberField("requests", load.requests());
        json.writeNumberField("errors", load.errors());
        json.writeNumberField("incomplete", load.incomplete());
        if (load.bodyBytes() > 0) {
            json.writeNumberField("bodyBytesPerResponse", load.bodyBytes() / load.requests());
        }
        percentiles(json, "latencyMicros", load.latency());
        if (!result.name().equals("direct")) {
            differences(json, "addedLatencyMicros", ResultTable.difference(result, ResultTable.find(all, "direct"),
                    LoadResult::latency));
        }
        if (options.stream()) {
            json.writeNumberField("eventsPerSecond", Math.round(load.eventsPerSecond() * 10) / 10.0);
        }
        if (options.measuresFirstEvent()) {
            percentiles(json, "firstEventMicros", load.firstEvent());
            if (!result.name().equals("direct")) {
                differences(json, "addedFirstEventMicros",
                        ResultTable.difference(result, ResultTable.find(all, "direct"), LoadResult::firstEvent));
            }
        }
        if (options.measuresTimePerEvent()) {
            json.writeObjectFieldStart("timePerEventMicros");
            json.writeNumberField("p50", ResultTable.perEvent(options, result, 50));
            json.writeNumberField("p99", ResultTable.perEvent(options, result, 99));
            json.writeEndObject();
        }
        if (options.mode() == HarnessOptions.LoadMode.HELD) {
            json.writeNumberField("streams", load.sent());
            json.writeNumberField("stalls", ResultTable.stalls(options, load));
            percentiles(json, "longestGapMicros", load.longestGap());
            if (result.held() != null) {
                json.writeNumberField("idleRssKiB", result.held().idleRssKib());
                json.writeNumberField("openRssKiB", result.held().openRssKib());
                if (!Double.isNaN(result.held().cpuShare())) {
                    json.writeNumberField("cpuShareWhileOpen", result.held().cpuShare());
                }
            }
        }
        if (result.upstream() != null) {
            json.writeObjectFieldStart("upstream");
            json.writeStringField("protocol", result.upstream().protocol());
            json.writeNumberField("peakOpenConnections", result.upstream().peakOpen());
            json.writeNumberField("openedConnections", result.upstream().opened());
            json.writeEndObject();
        }
        if (!Double.isNaN(result.cpuSeconds())) {
            json.writeNumberField("cpuSeconds", result.cpuSeconds());
            json.writeNumberField("cpuSecondsPer1kRequests", result.cpuSecondsPerThousand());
        }
        if (result.peakRssKib() >= 0) {
            json.writeNumberField("peakRssKiB", result.peakRssKib());
        }
        json.writeEndObject();
    }

    private static void percentiles(JsonGenerator json, String field, Histogram histogram) throws IOException {
        json.writeObjectFieldStart(field);
        long[] values = ResultTable.percentiles(histogram);
        for (int i = 0; i < values.length; i++) {
            json.writeNumberField(ResultTable.PERCENTILE_NAMES[i], values[i]);
        }
        json.writeNumberField("max", histogram.getMaxValue());
        json.writeNumberField("mean", Math.round(histogram.getMean()));
        json.writeEndObject();
    }

    private static void differences(JsonGenerator json, String field, long[] values) throws IOException {
        if (values == null) {
            return;
        }
        json.writeObjectFieldStart(field);
        for (int i = 0; i < values.length; i++) {
            json.writeNumberField(ResultTable.PERCENTILE_NAMES[i], values[i]);
        }
        json.writeEndObject();
    }

    private static void writeHtml(Path file, HarnessOptions options, List<TargetResult> results) throws IOException {
        StringBuilder html = new StringBuilder("""
                <!DOCTYPE html>
                <html><head><meta charset="utf-8"><title>gateway-bench</title>
                <style>body{font-family:sans-serif;margin:2em;max-width:900px}pre{background:#f6f6f6;padding:1em}</style>
                </head><body>
                <h1>gateway-bench</h1>
                """);
        html.append("<p>").append(PercentilePlot.escape(options.describe())).append("</p>\n<pre>")
                .append(PercentilePlot.escape(ResultTable.render(options, results))).append("</pre>\n");
        html.append(PercentilePlot.svg(options.mode() == HarnessOptions.LoadMode.CANCEL
                ? "client's reset → the upstream saw the stream end (µs) by percentile" : "latency (µs) by percentile",
                series(results, LoadResult::latency)));
        if (options.measuresFirstEvent()) {
            html.append(PercentilePlot.svg("time to first event (µs) by percentile",
                    series(results, LoadResult::firstEvent)));
        }
        html.append("""
                <p>Latency runs from the send (closed loop) or the intended send (open loop) to the last byte.
                Added latency is a proxy's percentile minus direct's at the same percentile, same run, same layout.
                CPU s/1k req is the proxy process's user + system time in the measured window per 1,000 requests;
                peak RSS is its VmHWM. Compare the columns with each other, not with another machine.</p>
                </body></html>
                """);
        Files.writeString(file, html, StandardCharsets.UTF_8);
    }

    private static List<PercentilePlot.Series> series(List<TargetResult> results,
                                                      Function<LoadResult, Histogram> metric) {
        List<PercentilePlot.Series> series = new ArrayList<>();
        for (TargetResult result : results) {
            if (result.measured()) {
                series.add(new PercentilePlot.Series(result.name(), COLORS.getOrDefault(result.name(), "#264653"),
                        metric.apply(result.load())));
            }
        }
        return series;
    }

    private static void writeHgrm(Path file, Histogram histogram) throws IOException {
        try (PrintStream out = new PrintStream(Files.newOutputStream(file), false, StandardCharsets.UTF_8)) {
            // Recorded in µs; HdrHistogram's plotter expects milliseconds.
            histogram.outputPercentileDistribution(out, 1000.0);
        }
    }
}
