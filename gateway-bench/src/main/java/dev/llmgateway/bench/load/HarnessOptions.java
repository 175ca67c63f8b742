package dev.llmgateway.bench.load;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** The command line of {@link LoadHarness}; see {@link #USAGE}. */
record HarnessOptions(LoadGenerator.Mode mode, double rate, int connections, double durationSeconds,
                      double warmupSeconds, boolean stream, int events, long eventDelayMs, int requestBytes,
                      Layout layout, List<String> targets, Path out, Path gatewayJar, List<String> gatewayJavaOpts,
                      Path runDir) {

    /** Where the processes run (docs/ARCHITECTURE.md §10). */
    enum Layout {
        /** Proxy alone on core 1; load generator and mock upstream on core 0. For throughput. */
        SPLIT("1"),
        /** Everything on core 0: no cross-core wake-ups hide what the proxy costs. For added latency. */
        SHARED("0");

        final String proxyCpus;

        Layout(String proxyCpus) {
            this.proxyCpus = proxyCpus;
        }
    }

    static final List<String> ALL_TARGETS = List.of("direct", "nginx", "gateway");

    static final String USAGE = """
            usage: LoadHarness [options]
              --mode closed|open        closed: max throughput; open: fixed rate, latency from intended send (closed)
              --rate N                  requests per second in open mode (1000)
              --connections N           keep-alive connections (64)
              --duration S              measured seconds per target (10)
              --warmup S                unrecorded seconds per target before that (5)
              --stream                  streamed answers (SSE) instead of one JSON body
              --events N                events per streamed answer (20)
              --event-delay-ms D        pause between streamed events (0)
              --request-bytes N         size of the chat request body (1024)
              --layout split|shared     split: proxy on cpu 1, load+mock on cpu 0; shared: all on cpu 0 (split)
              --targets LIST            comma-separated subset of direct,nginx,gateway (all)
              --out DIR                 results.json, report.html, *.hgrm (bench-results)
              --gateway-jar PATH        (gateway-netty/target/llm-gateway.jar)
              --gateway-java-opts S     JVM flags for the gateway ("-XX:+UseParallelGC -Xms256m -Xmx1g")
              --run-dir DIR             scratch dir for configs, logs, pids (a new temp dir)
            """;

    static HarnessOptions parse(String[] args) {
        LoadGenerator.Mode mode = LoadGenerator.Mode.CLOSED;
        double rate = 1000;
        int connections = 64;
        double duration = 10;
        double warmup = 5;
        boolean stream = false;
        int events = 20;
        long eventDelayMs = 0;
        int requestBytes = 1024;
        Layout layout = Layout.SPLIT;
        List<String> targets = ALL_TARGETS;
        Path out = Path.of("bench-results");
        Path gatewayJar = Path.of("gateway-netty/target/llm-gateway.jar");
        String javaOpts = "-XX:+UseParallelGC -Xms256m -Xmx1g";
        Path runDir = null;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--stream" -> stream = true;
                case "--mode" -> mode = LoadGenerator.Mode.valueOf(value(args, ++i, arg).toUpperCase());
                case "--rate" -> rate = positive(Double.parseDouble(value(args, ++i, arg)), arg);
                case "--connections" -> connections = (int) positive(Integer.parseInt(value(args, ++i, arg)), arg);
                case "--duration" -> duration = positive(Double.parseDouble(value(args, ++i, arg)), arg);
                case "--warmup" -> warmup = Double.parseDouble(value(args, ++i, arg));
                case "--events" -> events = (int) positive(Integer.parseInt(value(args, ++i, arg)), arg);
                case "--event-delay-ms" -> eventDelayMs = Long.parseLong(value(args, ++i, arg));
                case "--request-bytes" -> requestBytes = Integer.parseInt(value(args, ++i, arg));
                case "--layout" -> layout = Layout.valueOf(value(args, ++i, arg).toUpperCase());
                case "--targets" -> targets = targets(value(args, ++i, arg));
                case "--out" -> out = Path.of(value(args, ++i, arg));
                case "--gateway-jar" -> gatewayJar = Path.of(value(args, ++i, arg));
                case "--gateway-java-opts" -> javaOpts = value(args, ++i, arg);
                case "--run-dir" -> runDir = Path.of(value(args, ++i, arg));
                default -> throw new IllegalArgumentException("unknown option " + arg);
            }
        }
        List<String> opts = Arrays.stream(javaOpts.trim().split("\\s+")).filter(s -> !s.isEmpty()).toList();
        return new HarnessOptions(mode, rate, connections, duration, warmup, stream, events, eventDelayMs,
                requestBytes, layout, targets, out, gatewayJar, opts, runDir);
    }

    String describe() {
        String load = mode == LoadGenerator.Mode.OPEN
                ? "open loop at %.0f req/s over %d connections".formatted(rate, connections)
                : "closed loop over %d connections".formatted(connections);
        String answer = stream ? "SSE stream of %d events, %d ms apart".formatted(events, eventDelayMs) : "JSON body";
        String where = layout == Layout.SPLIT ? "split (proxy on cpu 1, load + mock on cpu 0)"
                : "shared (everything on cpu 0)";
        return "%s; %d B request, %s; layout %s; %.1f s measured after %.1f s warm-up per target"
                .formatted(load, requestBytes, answer, where, durationSeconds, warmupSeconds);
    }

    private static List<String> targets(String list) {
        List<String> targets = Arrays.stream(list.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        for (String target : targets) {
            if (!ALL_TARGETS.contains(target)) {
                throw new IllegalArgumentException("unknown target " + target + " (expected: " + ALL_TARGETS + ")");
            }
        }
        return targets;
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    private static double positive(double value, String option) {
        if (value <= 0) {
            throw new IllegalArgumentException(option + ": " + value + " (expected: > 0)");
        }
        return value;
    }
}
