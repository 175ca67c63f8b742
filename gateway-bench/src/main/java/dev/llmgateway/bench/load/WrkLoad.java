package dev.llmgateway.bench.load;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Closed-loop load from wrk, a tool this project did not write, so a reader can check the harness's figures with
 * it. wrk POSTs the same chat request with the same headers (wrk-chat.lua), and its {@code done} hook writes its
 * totals and whole latency distribution, which become the same {@link LoadResult} the harness's generator makes.
 * wrk's latency includes its own correction for coordinated omission, and it has no first-event time. It runs on
 * the harness's cpu (a child inherits the affinity), with one thread ({@code -t1}) as the generator has one loop.
 */
final class WrkLoad {
    private static final String SCRIPT = "wrk-chat.lua";

    private final Path wrk;
    private final Path runDir;
    private final Path script;
    private final Path body;

    /** Writes the Lua script and the request body into {@code runDir}, where a reader can also find them. */
    WrkLoad(Path wrk, Path runDir, byte[] requestBody) throws IOException {
        this.wrk = wrk;
        this.runDir = runDir;
        try (InputStream in = WrkLoad.class.getResourceAsStream(SCRIPT)) {
            if (in == null) {
                throw new IOException("missing resource " + SCRIPT);
            }
            this.script = Files.write(runDir.resolve(SCRIPT), in.readAllBytes());
        }
        this.body = Files.write(runDir.resolve("request.json"), requestBody);
    }

    /**
     * wrk for {@code warmupSeconds} (not recorded), then for {@code durationSeconds} inside {@code window}; both
     * rounded up to whole seconds, as wrk takes them. {@code eventsPerAnswer} (0 for JSON) gives the event count,
     * which wrk cannot see. wrk's report for the measured part is printed and kept as {@code <target>-wrk.txt}.
     */
    LoadResult run(String target, int port, int connections, double warmupSeconds, double durationSeconds,
                   int eventsPerAnswer, LoadGenerator.WindowListener window) throws IOException, InterruptedException {
        Path results = runDir.resolve(target + "-wrk.out");
        if (warmupSeconds > 0) {
            wrk(port, connections, warmupSeconds, results);
        }
        window.measureStarted();
        String report = wrk(port, connections, durationSeconds, results);
        window.measureEnded();
        Files.writeString(runDir.resolve(target + "-wrk.txt"), report);
        report.lines().forEach(line -> System.out.println("  wrk| " + line));
        return read(results, eventsPerAnswer);
    }

    private String wrk(int port, int connections, double seconds, Path results)
            throws IOException, InterruptedException {
        Files.deleteIfExists(results);
        long wholeSeconds = (long) Math.ceil(seconds);
        List<String> command = List.of(wrk.toString(), "-t1", "-c" + connections, "-d" + wholeSeconds + "s",
                "--timeout", "10s", "--latency", "-s", script.toString(),
                "http://127.0.0.1:" + port + "/v1/chat/completions");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(Map.of("WRK_BODY_FILE", body.toString(), "WRK_API_KEY", Proxies.API_KEY,
                "WRK_RESULT_FILE", results.toString()));
        Process process = builder.start();
        // wrk stops by itself after -d, whatever the target does.
        String report = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0 || !Files.exists(results)) {
            throw new IOException("wrk failed (exit " + process.exitValue() + "): " + String.join(" ", command)
                    + "\n" + report);
        }
        return report;
    }

    /** The results file of wrk-chat.lua: totals on line 1, then "latency-µs count" lines. */
    private static LoadResult read(Path results, int eventsPerAnswer) throws IOException {
        List<String> lines = Files.readAllLines(results);
        long[] totals = numbers(lines.get(0));
        long responses = totals[0];
        long statusErrors = totals[2];
        long socketErrors = totals[3] + totals[4] + totals[5];
        long timeouts = totals[6];
        Histogram latency = new Histogram(3);
        for (String line : lines.subList(1, lines.size())) {
            long[] valueAndCount = numbers(line);
            latency.recordValueWithCount(valueAndCount[0], valueAndCount[1]);
        }
        long ok = responses - statusErrors;
        return new LoadResult(ok, statusErrors + socketErrors, timeouts, totals[1] / 1e6, latency, new Histogram(3),
                new Histogram(3), new Histogram(3), ok * eventsPerAnswer, 0);
    }

    private static long[] numbers(String line) {
        return Arrays.stream(line.trim().split("\\s+")).mapToLong(Long::parseLong).toArray();
    }
}
