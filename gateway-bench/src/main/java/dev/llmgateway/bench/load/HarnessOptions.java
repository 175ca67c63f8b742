package dev.llmgateway.bench.load;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * One harness run's settings: a named {@link Workload}'s, with the command line's changes, or the command line's
 * alone. {@link #parse} turns a command line into the runs to make; see {@link #USAGE}.
 */
record HarnessOptions(Workload workload, LoadMode mode, double rate, int connections, double durationSeconds,
                      double warmupSeconds, boolean stream, int events, long eventDelayMs, long answerDelayMs,
                      int requestBytes, Layout layout, List<String> targets, boolean accessLog, LoadTool loadTool,
                      Path out, Path gatewayJar, List<String> gatewayJavaOpts, Path runDir, boolean upstreamTls,
                      boolean upstreamHttp2, boolean clientHttp2, int streamsPerConnection, int cancels) {

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

    enum LoadMode {
        /** Each connection sends its next request when the previous completes: maximum throughput. */
        CLOSED,
        /** Requests due at a fixed rate; latency counts from the due time, so queueing shows. */
        OPEN,
        /**
         * One stream per connection, opened at {@code rate} per second, each lasting {@code durationSeconds} with
         * an event every {@code eventDelayMs}: what holding many slow streams costs.
         */
        HELD,
        /**
         * {@code cancels} streams one after another, each reset by the client (h2c RST_STREAM) when its first
         * event arrives: the time from the reset to the upstream seeing its stream end.
         */
        CANCEL
    }

    /** Who sends the requests: the harness's own generator, or wrk (closed loop only) to check it against. */
    enum LoadTool { HARNESS, WRK }

    /**
     * How the generator drives one phase of a run.
     *
     * @param events text events per streamed answer (the request's {@code max_tokens})
     */
    record Phase(LoadGenerator.Mode mode, double rate, int connections, int events) {
    }

    /** The runs one command line asks for, where their summary goes, and what was noted while choosing them. */
    record Plan(List<HarnessOptions> runs, Path out, String command, List<String> notes) {
    }

    static final List<String> ALL_TARGETS = List.of("direct", "nginx", "gateway", "gateway-translated",
            "gateway-limits", "gateway-shared", "gateway-traced", "gateway-up-h2");
    /** The gateway speaking HTTP/2 to the upstream whatever {@code --upstream-http} says: beside an HTTP/1.1 row. */
    static final String GATEWAY_UPSTREAM_H2 = "gateway-up-h2";
    static final List<String> DEFAULT_TARGETS = List.of("direct", "nginx", "gateway");

    /** Held streams warm the proxy up with short streams on fewer connections, then open all of them at once. */
    private static final int HELD_WARM_UP_CONNECTIONS = 256;
    private static final int HELD_WARM_UP_EVENTS = 4;
    /** File descriptors a process keeps besides its sockets (a JVM's jars, epoll, pipes). */
    private static final int FD_RESERVE = 256;
    /** How long requests of the window may take to finish after it, before they count as incomplete. */
    private static final double DRAIN_SECONDS = 10;
    /** Options that shape one workload; {@code --workload all} runs each workload with its own. */
    private static final Set<String> SHAPING = Set.of("--mode", "--rate", "--connections", "--stream", "--events",
            "--event-delay-ms", "--answer-delay-ms", "--request-bytes", "--layout", "--client-http",
            "--streams-per-connection");
    /** How long the upstream may take to see a cut stream before the cancel counts as missed. */
    static final long CANCEL_TIMEOUT_MILLIS = 1_000;

    static final String USAGE = """
            usage: LoadHarness [--workload NAME] [options]
              --workload NAME           a named workload (its settings below can still be changed one by one):
                                          throughput         closed loop, 64 connections, 1 KB JSON answers; split
                                          throughput-stream  the same with SSE answers of 20 events sent at once
                                          latency            1 connection, sequential requests, JSON; shared
                                          ttft               open loop, 200 streams/s of 20 events 5 ms apart; shared
                                          sustained          closed loop, 1000 connections, the upstream answers after
                                                             20 ms; split
                                          held-streams       10000 streams held at once, an event every 50 ms each,
                                                             for --duration; stalls and RSS; split
                                          translated         throughput-stream with the gateway also translating from
                                                             an Anthropic upstream (target gateway-translated)
                                          shared-limits      throughput with the key's limits counted per replica
                                                             (gateway-limits) and in a redis-server the harness
                                                             starts beside the load (gateway-shared); split
                                          shared-latency     the same two at one connection; shared
                                          throughput-tls     throughput with the upstream on https (direct stays
                                                             plain text: the floor)
                                          latency-tls        latency with the upstream on https
                                          upstream-h2        throughput with the gateway over HTTP/1.1 and HTTP/2
                                                             (gateway-up-h2) to the upstream; nginx stays HTTP/1.1
                                          upstream-connections  1000 streams held at once (an event every
                                                             50 ms): the upstream connections each proxy opens,
                                                             HTTP/1.1 and HTTP/2; split
                                          throughput-h2c     throughput with the load on h2c (prior knowledge),
                                                             8 connections x 8 streams; split
                                          latency-h2c        latency on h2c, 1 connection x 1 stream; shared
                                          cancel-h2          --cancels streams reset by the h2c client at their
                                                             first event: reset -> upstream saw it, over HTTP/1.1
                                                             and HTTP/2 upstream; shared
                                          all                each of the above in turn, one combined report
              --mode closed|open|held|cancel  closed: max throughput; open: fixed rate, latency from intended
                                        send; held: --connections streams opened at --rate per second; cancel:
                                        --cancels streams reset by the client one by one (closed)
              --rate N                  requests (held: streams opened) per second in open and held mode (1000)
              --connections N           keep-alive connections; in held mode, streams (64)
              --streams N               held-streams: concurrent streams, the same as --connections (10000)
              --duration S              measured seconds per target; held mode: how long each stream lasts (10)
              --warmup S                unrecorded seconds per target before that (5)
              --stream                  streamed answers (SSE) instead of one JSON body
              --events N                text events per streamed answer (20; held mode: duration / event delay)
              --event-delay-ms D        pause between streamed events (0: all at once)
              --answer-delay-ms D       the upstream's pause before it answers (0)
              --request-bytes N         size of the chat request body (1024)
              --layout split|shared     split: proxy on cpu 1, load+mock on cpu 0; shared: all on cpu 0 (split)
              --targets LIST            which of direct,nginx,gateway,gateway-translated,gateway-limits,
                                        gateway-shared,gateway-traced (direct,nginx,gateway; with --workload: a
                                        filter over the workload's own); gateway-traced: every request traced,
                                        spans exported over OTLP to a collector on loopback in this process
              --access-log on|off       the proxies' access logs: gateway JSON to stdout, nginx JSON to its
                                        stdout (on)
              --tracing on|off          on: target gateway-traced after gateway, with any workload (off)
              --load-tool harness|wrk   wrk instead of the harness's generator for closed-loop runs (harness)
              --upstream-tls on|off     the proxies reach the mock over https (TLS 1.3, a certificate made for
                                        the run and verified by both); direct stays plain text (off)
              --upstream-http 1.1|2     the gateway's protocol to the upstream (1.1; 2: providers.X.http = "2",
                                        h2c or h2 by ALPN over https); nginx's proxy_pass stays HTTP/1.1
              --client-http 1.1|2       the load's protocol to the targets (1.1; 2: h2c by prior knowledge, nginx
                                        listening with `http2`)
              --streams-per-connection M  h2c: streams each connection carries at once (1); --connections x M
                                        requests in flight
              --cancels N               cancel mode: streams cut, after N/4 unrecorded ones (200)
              --out DIR                 results.json, report.html, summary.md, *.hgrm, logs/ (bench-results;
                                        with --workload all, one subdirectory per workload)
              --gateway-jar PATH        (gateway-netty/target/llm-gateway.jar)
              --gateway-java-opts S     JVM flags for the gateway ("-XX:+UseSerialGC -Xms16m -Xmx512m")
              --run-dir DIR             scratch dir for configs, logs, pids (a new temp dir)
            """;

    /** The runs {@code args} ask for; {@code openFileLimit} bounds how many streams a process can hold. */
    static Plan parse(String[] args, long openFileLimit) {
        String workloadName = null;
        List<String[]> settings = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--workload")) {
                workloadName = value(args, ++i, arg);
            } else if (arg.equals("--stream")) {
                settings.add(new String[] {arg, "true"});
            } else {
                settings.add(new String[] {arg, value(args, ++i, arg)});
            }
        }
        boolean all = "all".equals(workloadName);
        List<Workload> workloads = workloadName == null ? Arrays.asList((Workload) null)
                : all ? List.of(Workload.values()) : List.of(Workload.named(workloadName));
        List<String> notes = new ArrayList<>();
        List<HarnessOptions> runs = new ArrayList<>();
        Path out = Path.of("bench-results");
        for (Workload workload : workloads) {
            Builder builder = new Builder();
            if (workload != null) {
                workload.preset.accept(builder);
            }
            for (String[] setting : settings) {
                if (all && SHAPING.contains(setting[0])) {
                    throw new IllegalArgumentException(setting[0] + " shapes one workload; --workload all runs each "
                            + "with its own (it takes --duration, --warmup, --streams, --cancels, --targets, "
                            + "--access-log, --tracing, --load-tool, --upstream-tls, --upstream-http, --out and the "
                            + "gateway's options)");
                }
                builder.set(setting[0], setting[1]);
            }
            out = builder.out;
            runs.add(builder.build(workload, all, all ? out.resolve(workload.label()) : out, openFileLimit, notes));
        }
        List<String> command = new ArrayList<>(List.of("scripts/bench"));
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--run-dir")) {
                i++;
            } else {
                command.add(args[i].contains(" ") ? "\"" + args[i] + "\"" : args[i]);
            }
        }
        return new Plan(runs, out, String.join(" ", command), notes);
    }

    /** What the generator does before the measured window: the same as in it, except for held streams. */
    Phase warmUpPhase() {
        return mode == LoadMode.HELD
                ? new Phase(LoadGenerator.Mode.CLOSED, rate, Math.min(connections, HELD_WARM_UP_CONNECTIONS),
                        HELD_WARM_UP_EVENTS)
                : measuredPhase();
    }

    Phase measuredPhase() {
        return new Phase(mode == LoadMode.OPEN || mode == LoadMode.HELD ? LoadGenerator.Mode.OPEN
                : LoadGenerator.Mode.CLOSED, rate,
                connections, events);
    }

    /** The measured window: held streams are all opened within it and counted whatever their length. */
    double windowSeconds() {
        return mode == LoadMode.HELD ? connections / rate : durationSeconds;
    }

    double drainSeconds() {
        return mode == LoadMode.HELD ? durationSeconds + DRAIN_SECONDS : DRAIN_SECONDS;
    }

    /** Whether wrk sends this run's requests (it has a closed loop only). */
    boolean usesWrk() {
        return loadTool == LoadTool.WRK && mode == LoadMode.CLOSED && !clientHttp2;
    }

    /** Whether the first event's time was measured: wrk sees only whole responses, cancel mode cuts at it. */
    boolean measuresFirstEvent() {
        return stream && !usesWrk() && mode != LoadMode.CANCEL;
    }

    /** Whether the time per event means something: events are paced, there are several, the pace is not held's. */
    boolean measuresTimePerEvent() {
        return measuresFirstEvent() && eventDelayMs > 0 && events > 1 && mode != LoadMode.HELD;
    }

    /** Cancel mode: the unrecorded cancels before the recorded ones (they warm the proxy's cancel path up). */
    int warmUpCancels() {
        return warmupSeconds > 0 ? Math.max(1, cancels / 4) : 0;
    }

    /** The protocol {@code target} speaks to the mock ({@code direct}: the load's own). */
    String upstreamProtocol(String target) {
        if (target.equals("direct")) {
            return clientHttp2 ? "h2c" : "HTTP/1.1";
        }
        boolean http2 = target.equals(GATEWAY_UPSTREAM_H2) || upstreamHttp2 && target.startsWith("gateway");
        return (http2 ? "HTTP/2" : "HTTP/1.1") + (upstreamTls ? " over TLS" : "");
    }

    /** Whether some target of this run speaks HTTP/2 to the mock or to the load. */
    boolean involvesHttp2() {
        return clientHttp2 || upstreamHttp2 || targets.contains(GATEWAY_UPSTREAM_H2);
    }

    /** The run's name in reports: its workload's, or "custom" for one set up option by option. */
    String label() {
        return workload == null ? "custom" : workload.label();
    }

    String describe() {
        String load = switch (mode) {
            case OPEN -> "open loop at %.0f req/s over %d connections".formatted(rate, connections);
            case CLOSED -> "closed loop over %d connection%s".formatted(connections, connections == 1 ? "" : "s");
            case HELD -> "%d streams held at once (opened at %.0f/s) for %.1f s each".formatted(connections, rate,
                    durationSeconds);
            case CANCEL -> "%d streams one at a time (after %d unrecorded), each reset by the client at its first "
                    .formatted(cancels, warmUpCancels()) + "event";
        };
        if (clientHttp2 && mode != LoadMode.CANCEL) {
            load += " x %d stream%s each".formatted(streamsPerConnection, streamsPerConnection == 1 ? "" : "s");
        }
        String answer = stream ? "SSE stream of %d events, %s".formatted(events,
                eventDelayMs == 0 ? "sent at once" : eventDelayMs + " ms apart") : "JSON body";
        if (answerDelayMs > 0) {
            answer += ", %d ms after the request".formatted(answerDelayMs);
        }
        String where = layout == Layout.SPLIT ? "split (proxy on cpu 1, load + mock on cpu 0)"
                : "shared (everything on cpu 0)";
        String measured = mode == LoadMode.CANCEL ? "a cancel missed when the upstream has not seen it after %d ms"
                .formatted(CANCEL_TIMEOUT_MILLIS)
                : mode == LoadMode.HELD
                ? "after %.1f s of warm-up with short streams per target".formatted(warmupSeconds)
                : "%.1f s measured after %.1f s warm-up per target".formatted(durationSeconds, warmupSeconds);
        return "%s; %d B request, %s; layout %s; %s; access log %s; load from %s%s%s%s".formatted(load,
                requestBytes, answer, where, measured, accessLog ? "on" : "off",
                usesWrk() ? "wrk" : "the harness's generator", clientHttp2 ? " over h2c" : "",
                upstreamTls ? "; upstream over https (direct: plain text)" : "",
                upstreamHttp2 ? "; the gateway's upstream on HTTP/2 (nginx's: HTTP/1.1)" : "");
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    /** The settings while they are being chosen: defaults, then a workload's, then the command line's. */
    static final class Builder {
        LoadMode mode = LoadMode.CLOSED;
        double rate = 1000;
        int connections = 64;
        double duration = 10;
        double warmup = 5;
        boolean stream;
        int events = 20;
        long eventDelayMs;
        long answerDelayMs;
        int requestBytes = 1024;
        Layout layout = Layout.SPLIT;
        List<String> workloadTargets = DEFAULT_TARGETS;
        private Integer streams;
        private List<String> targetFilter;
        private boolean accessLog = true;
        private boolean tracing;
        private LoadTool loadTool = LoadTool.HARNESS;
        private Path out = Path.of("bench-results");
        private Path gatewayJar = Path.of("gateway-netty/target/llm-gateway.jar");
        private String javaOpts = "-XX:+UseSerialGC -Xms16m -Xmx512m";
        private Path runDir;
        boolean upstreamTls;
        boolean upstreamHttp2;
        boolean clientHttp2;
        int streamsPerConnection = 1;
        /** Held streams at the workload's own count even when {@code --workload all} is given {@code --streams}. */
        boolean ownStreamCount;
        private int cancels = 200;

        private void set(String option, String value) {
            switch (option) {
                case "--stream" -> stream = true;
                case "--mode" -> mode = choice(LoadMode.class, value, option);
                case "--rate" -> rate = positive(Double.parseDouble(value), option);
                case "--connections" -> connections = (int) positive(Integer.parseInt(value), option);
                case "--streams" -> streams = (int) positive(Integer.parseInt(value), option);
                case "--duration" -> duration = positive(Double.parseDouble(value), option);
                case "--warmup" -> warmup = Double.parseDouble(value);
                case "--events" -> events = (int) positive(Integer.parseInt(value), option);
                case "--event-delay-ms" -> eventDelayMs = Long.parseLong(value);
                case "--answer-delay-ms" -> answerDelayMs = Long.parseLong(value);
                case "--request-bytes" -> requestBytes = Integer.parseInt(value);
                case "--layout" -> layout = choice(Layout.class, value, option);
                case "--targets" -> targetFilter = targets(value);
                case "--access-log" -> accessLog = choice(Switch.class, value, option) == Switch.ON;
                case "--tracing" -> tracing = choice(Switch.class, value, option) == Switch.ON;
                case "--load-tool" -> loadTool = choice(LoadTool.class, value, option);
                case "--out" -> out = Path.of(value);
                case "--gateway-jar" -> gatewayJar = Path.of(value);
                case "--gateway-java-opts" -> javaOpts = value;
                case "--run-dir" -> runDir = Path.of(value);
                case "--upstream-tls" -> upstreamTls = choice(Switch.class, value, option) == Switch.ON;
                case "--upstream-http" -> upstreamHttp2 = http2(value, option);
                case "--client-http" -> clientHttp2 = http2(value, option);
                case "--streams-per-connection" -> streamsPerConnection = (int) positive(Integer.parseInt(value),
                        option);
                case "--cancels" -> cancels = (int) positive(Integer.parseInt(value), option);
                default -> throw new IllegalArgumentException("unknown option " + option);
            }
        }

        /** {@code partOfAll}: one of {@code --workload all}'s runs, where {@code --streams} is for held-streams. */
        private HarnessOptions build(Workload workload, boolean partOfAll, Path runOut, long openFileLimit,
                                     List<String> notes) {
            if (streams != null && mode != LoadMode.HELD && !partOfAll) {
                throw new IllegalArgumentException("--streams is for held streams (--workload held-streams)");
            }
            if (mode == LoadMode.CANCEL) {
                // One stream at a time, each long enough that only a reset upstream ends it early.
                clientHttp2 = true;
                stream = true;
                connections = 1;
                streamsPerConnection = 1;
                if (eventDelayMs <= 0 || events * eventDelayMs < CANCEL_TIMEOUT_MILLIS / 4) {
                    throw new IllegalArgumentException("cancel mode needs streams that last: --events x "
                            + "--event-delay-ms >= " + CANCEL_TIMEOUT_MILLIS / 4 + " ms");
                }
            }
            if (streamsPerConnection > 1 && !clientHttp2) {
                throw new IllegalArgumentException("--streams-per-connection is for h2c load (--client-http 2)");
            }
            if (clientHttp2 && mode == LoadMode.HELD) {
                throw new IllegalArgumentException("held streams are HTTP/1.1 from the client (--client-http 1.1)");
            }
            if (mode == LoadMode.HELD) {
                if (streams != null && !(partOfAll && ownStreamCount)) {
                    connections = streams;
                }
                if (eventDelayMs <= 0) {
                    throw new IllegalArgumentException("held mode needs --event-delay-ms > 0 (the pace of events)");
                }
                stream = true;
                events = (int) Math.max(1, Math.round(duration * 1000 / eventDelayMs));
                // Each stream is a client and an upstream socket in one process (the proxy, or this one for direct).
                long fit = Math.max(1, (openFileLimit - FD_RESERVE) / 2);
                if (connections > fit) {
                    notes.add("%d streams need %d open files in one process; the limit here is %d (ulimit -Hn): "
                            .formatted(connections, 2L * connections + FD_RESERVE, openFileLimit)
                            + "held-streams runs %d".formatted(fit));
                    connections = (int) fit;
                }
            }
            List<String> targets = targetFilter == null ? workloadTargets
                    : workload == null ? targetFilter
                    : workloadTargets.stream().filter(targetFilter::contains).toList();
            if (targets.isEmpty()) {
                throw new IllegalArgumentException("--targets leaves no target for " + workload.label()
                        + " (its targets: " + workloadTargets + ")");
            }
            if (tracing && targets.contains("gateway") && !targets.contains("gateway-traced")) {
                List<String> withTraced = new ArrayList<>(targets);
                withTraced.add(targets.indexOf("gateway") + 1, "gateway-traced");
                targets = withTraced;
            }
            List<String> opts = Arrays.stream(javaOpts.trim().split("\\s+")).filter(s -> !s.isEmpty()).toList();
            return new HarnessOptions(workload, mode, rate, connections, duration, warmup, stream, events,
                    eventDelayMs, answerDelayMs, requestBytes, layout, targets, accessLog, loadTool, runOut,
                    gatewayJar, opts, runDir, upstreamTls, upstreamHttp2, clientHttp2, streamsPerConnection, cancels);
        }

        private enum Switch { ON, OFF }

        private static <E extends Enum<E>> E choice(Class<E> type, String value, String option) {
            try {
                return Enum.valueOf(type, value.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(option + ": " + value + " (expected: one of "
                        + Arrays.stream(type.getEnumConstants()).map(c -> c.name().toLowerCase(Locale.ROOT)).toList()
                        + ")");
            }
        }

        /** Whether {@code value}, an HTTP version, is 2. */
        private static boolean http2(String value, String option) {
            return switch (value) {
                case "1.1" -> false;
                case "2" -> true;
                default -> throw new IllegalArgumentException(option + ": " + value + " (expected: 1.1 or 2)");
            };
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

        private static double positive(double value, String option) {
            if (value <= 0) {
                throw new IllegalArgumentException(option + ": " + value + " (expected: > 0)");
            }
            return value;
        }
    }
}
