package dev.llmgateway.bench.load;

import dev.llmgateway.bench.ChatPayloads;
import io.netty.channel.EventLoopGroup;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs workloads against direct (the mock upstream itself), nginx and the gateway, one target after the other in
 * the same run and layout, and reports them side by side: what matters is the difference, not the absolute figures
 * (docs/ARCHITECTURE.md §10).
 * Several workloads ({@code --workload all}) run one after the other and end with one combined summary. Exit status
 * 0 when every target answered every measured request with 2xx, 1 when not, 64 for a bad command line.
 */
public final class LoadHarness {
    /** Busy share of the CPUs, before a workload, above which its figures get a warning. */
    private static final double BUSY_MACHINE = 0.10;
    /** The gateway with every request traced, its spans exported to a {@link TraceCollector} on loopback. */
    private static final String TRACED = "gateway-traced";
    /** The proxy being measured, for the shutdown hook: a kill of this JVM must not leave it running. */
    private static volatile ProxyProcess running;

    private final HarnessOptions options;
    private final Path runDir;
    private final NettyTransport transport = NettyTransport.best();
    private final HarnessOptions.Phase warmUp;
    private final HarnessOptions.Phase measured;
    private final byte[] warmUpBody;
    private final byte[] measuredBody;

    private LoadHarness(HarnessOptions options, Path runDir) {
        this.options = options;
        this.runDir = runDir;
        this.warmUp = options.warmUpPhase();
        this.measured = options.measuredPhase();
        this.warmUpBody = requestBody(warmUp);
        this.measuredBody = requestBody(measured);
    }

    public static void main(String[] args) throws Exception {
        HarnessOptions.Plan plan;
        try {
            if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
                System.out.print(HarnessOptions.USAGE);
                return;
            }
            plan = HarnessOptions.parse(args, ProcStats.openFileLimit());
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.print(HarnessOptions.USAGE);
            System.exit(64);
            return;
        }
        if (plan.runs().stream().anyMatch(HarnessOptions::usesWrk) && Proxies.findOnPath("wrk").isEmpty()) {
            System.err.println("wrk is not installed (apt-get install -y wrk; scripts/bench installs it as root)");
            System.exit(1);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            ProxyProcess proxy = running;
            if (proxy != null) {
                proxy.close();
            }
        }));
        Path given = plan.runs().get(0).runDir();
        Path runDir = given == null ? Files.createTempDirectory("gateway-bench-") : Files.createDirectories(given);
        plan.notes().forEach(note -> System.out.println("note: " + note));
        List<RunReport> reports = new ArrayList<>();
        for (HarnessOptions options : plan.runs()) {
            reports.add(new LoadHarness(options, Files.createDirectories(runDir.resolve(options.label()))).run());
        }
        String summary = MarkdownSummary.render(plan, reports);
        System.out.println();
        System.out.print(summary);
        Path out = Files.createDirectories(plan.out());
        Files.writeString(out.resolve("summary.md"), summary);
        System.out.println("\nwrote " + out.resolve("summary.md"));
        if (given == null) {
            deleteTree(runDir);
        }
        System.exit(reports.stream().allMatch(RunReport::ok) ? 0 : 1);
    }

    /**
     * One workload's targets and what they did.
     *
     * @param warnings what makes its figures less trustworthy (other load on the machine, a harness that could not
     *                 keep up)
     */
    record RunReport(HarnessOptions options, List<TargetResult> results, List<String> warnings) {
        boolean ok() {
            return !results.isEmpty() && results.stream().allMatch(TargetResult::ok);
        }
    }

    private RunReport run() throws Exception {
        String proxyCpus = proxyCpus();
        System.out.println("\n== " + options.label() + ": " + options.describe());
        List<String> warnings = new ArrayList<>();
        double busy = ProcStats.busyShare(500);
        if (busy > BUSY_MACHINE) {
            warnings.add("before it started the CPUs were %.0f%% busy with other processes: its figures include "
                    .formatted(busy * 100) + "their competition; quote figures from a quiet machine");
        }
        System.out.println("transport " + transport.name() + "; this JVM on cpus " + ProcStats.allowedCpus()
                + "; proxies on cpus " + (proxyCpus == null ? "(not pinned)" : proxyCpus) + "; scratch " + runDir);
        if (options.loadTool() == HarnessOptions.LoadTool.WRK && !options.usesWrk()) {
            System.out.println("wrk has a closed loop only: the harness's generator drives this " + options.mode()
                    .name().toLowerCase() + "-mode workload");
        }
        EventLoopGroup mockGroup = transport.newGroup("mock-upstream");
        EventLoopGroup loadGroup = transport.newGroup("load-generator");
        List<TargetResult> results = new ArrayList<>();
        try (MockUpstream mock = MockUpstream.start(transport, mockGroup, 0, options.eventDelayMs(),
                options.answerDelayMs());
             MockUpstream httpsMock = !options.upstreamTls() ? null : MockUpstream.start(transport, mockGroup, 0,
                     options.eventDelayMs(), options.answerDelayMs(),
                     UpstreamCertificate.make(runDir).serverContext());
             TraceCollector collector = options.targets().contains(TRACED) ? new TraceCollector() : null) {
            warmUpHarness(mock.port(), loadGroup);
            WrkLoad wrk = options.usesWrk()
                    ? new WrkLoad(Proxies.findOnPath("wrk").orElseThrow(), runDir, measuredBody) : null;
            for (String target : options.targets()) {
                System.out.println("measuring " + target + " ...");
                if (target.equals("nginx") && Proxies.findOnPath("nginx").isEmpty()) {
                    System.out.println("  nginx is not installed (apt-get install -y nginx): no nginx column");
                    continue;
                }
                // Direct stays plain text: the floor the proxies' rows are read against.
                results.add(measure(target, mock.port(), httpsMock == null ? mock.port() : httpsMock.port(),
                        proxyCpus, loadGroup, wrk,
                        target.equals(TRACED) ? collector.endpoint() : null));
                if (target.equals(TRACED)) {
                    System.out.println("  the trace collector took " + collector.received());
                }
            }
        } finally {
            loadGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            mockGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
        TargetResult direct = ResultTable.find(results, "direct");
        if (options.mode() == HarnessOptions.LoadMode.HELD && direct != null && direct.measured()
                && ResultTable.stalls(options, direct.load()) > 0) {
            warnings.add("direct stalled on %d of %d streams: the load generator and mock, on one core, did not keep "
                    .formatted(ResultTable.stalls(options, direct.load()), direct.load().sent())
                    + "the pace, so the proxies' stalls are not theirs alone (lower --streams or raise "
                    + "--event-delay-ms)");
        }
        System.out.println();
        System.out.print(ResultTable.render(options, results));
        warnings.forEach(warning -> System.out.println("\nwarning: " + warning));
        Path out = Files.createDirectories(options.out());
        ReportFiles.write(out, options, results);
        copyLogs(out);
        System.out.println("\nwrote " + out.resolve("results.json") + ", " + out.resolve("report.html"));
        return new RunReport(options, results, warnings);
    }

    /** {@code upstreamPort}: where the proxies reach the mock (its https port with {@code --upstream-tls on}). */
    private TargetResult measure(String target, int mockPort, int upstreamPort, String proxyCpus,
                                 EventLoopGroup loadGroup, WrkLoad wrk, String traceEndpoint) {
        ProxyProcess proxy = null;
        ProxyProcess redis = null;
        try {
            int port = mockPort;
            String sharedTable = "";
            if (target.equals("gateway-shared")) {
                int redisPort = freePort();
                redis = Proxies.startRedis(runDir, redisPort, proxyCpus == null ? null : "0");
                redis.awaitListening(redisPort, 10_000);
                sharedTable = Proxies.sharedTable(redisPort);
            }
            if (!target.equals("direct")) {
                port = freePort();
                proxy = target.equals("nginx")
                        ? Proxies.startNginx(Proxies.findOnPath("nginx").orElseThrow(), options, runDir, port,
                                upstreamPort, proxyCpus)
                        : Proxies.startGateway(target, target.equals("gateway-translated"),
                                target.equals("gateway-limits") || redis != null ? Proxies.KEY_LIMITS : "",
                                sharedTable + (traceEndpoint == null ? "" : Proxies.tracingTable(traceEndpoint)),
                                options, runDir, port, upstreamPort, proxyCpus);
            }
            running = proxy;
            if (proxy != null) {
                proxy.awaitListening(port, 30_000);
                if (target.startsWith("gateway")) {
                    // As a load balancer's readiness check would: the gateway warms itself up before /ready says 200.
                    proxy.awaitReady(port, 30_000);
                }
            }
            int eventsPerAnswer = probe(target, port);
            if (wrk != null) {
                CpuWindow cpu = new CpuWindow(proxy);
                LoadResult result = wrk.run(target, port, measured.connections(), options.warmupSeconds(),
                        options.durationSeconds(), eventsPerAnswer, cpu);
                return new TargetResult(target, result, null, cpu.seconds(), peakRss(proxy), null);
            }
            return options.mode() == HarnessOptions.LoadMode.HELD ? holdStreams(target, port, proxy, loadGroup)
                    : load(target, port, proxy, loadGroup);
        } catch (Exception e) {
            System.out.println("  " + target + " failed: " + e.getMessage());
            return TargetResult.failed(target, String.valueOf(e.getMessage()));
        } finally {
            if (proxy != null) {
                proxy.close();
                running = null;
            }
            if (redis != null) {
                redis.close();
            }
        }
    }

    private TargetResult load(String target, int port, ProxyProcess proxy, EventLoopGroup loadGroup)
            throws InterruptedException {
        CpuWindow cpu = new CpuWindow(proxy);
        LoadResult result = drive(port, loadGroup, measured, measuredBody, options.warmupSeconds(),
                options.windowSeconds(), cpu);
        return new TargetResult(target, result, null, cpu.seconds(), peakRss(proxy), null);
    }

    /** Held streams: warm up with short streams, read the idle proxy's RSS, then open every stream. */
    private TargetResult holdStreams(String target, int port, ProxyProcess proxy, EventLoopGroup loadGroup)
            throws InterruptedException {
        drive(port, loadGroup, warmUp, warmUpBody, options.warmupSeconds(), 0, new CpuWindow(null));
        long idleRss = proxy == null ? -1 : ProcStats.rssKib(proxy.handle());
        double window = options.windowSeconds();
        HeldSampler sampler = proxy == null ? null
                : new HeldSampler(proxy, Math.max(0.1, (options.durationSeconds() - window) / 2));
        LoadResult result = drive(port, loadGroup, measured, measuredBody, 0, window,
                sampler == null ? new CpuWindow(null) : sampler);
        TargetResult.Held held = sampler == null ? null : sampler.result(idleRss);
        return new TargetResult(target, result, null, Double.NaN, peakRss(proxy), held);
    }

    /** One generator run of {@code phase}: unrecorded warm-up, then the recorded window and its drain. */
    private LoadResult drive(int port, EventLoopGroup loadGroup, HarnessOptions.Phase phase, byte[] body,
                             double warmupSeconds, double windowSeconds, LoadGenerator.WindowListener window)
            throws InterruptedException {
        LoadGenerator.Request request = new LoadGenerator.Request("127.0.0.1", port, body, Proxies.API_KEY,
                options.stream());
        try (LoadGenerator generator = new LoadGenerator(transport, loadGroup, request)) {
            generator.connect(phase.connections());
            return generator.run(phase.mode(), phase.rate(), nanos(warmupSeconds), nanos(windowSeconds),
                    nanos(options.drainSeconds()), window);
        }
    }

    /**
     * The first target would otherwise meet a load generator and mock still being compiled by the JIT, and look
     * slower than the ones after it: warm both up against the mock, unrecorded.
     */
    private void warmUpHarness(int mockPort, EventLoopGroup loadGroup) throws InterruptedException {
        if (options.warmupSeconds() <= 0) {
            return;
        }
        System.out.println("warming up the load generator and mock upstream ...");
        drive(mockPort, loadGroup, warmUp, warmUpBody, options.warmupSeconds(), 0, new CpuWindow(null));
    }

    /**
     * One request before the load, to fail early and clearly: the target must answer 200, and with the model name
     * the client should see (the gateway rewrites the upstream's dated name back to the alias that was asked for).
     * Returns how many SSE events the answer held (0 for JSON).
     */
    private int probe(String target, int port) throws IOException, InterruptedException {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"))
                .timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + Proxies.API_KEY)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(warmUpBody)).build();
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        String model = target.equals("direct") || target.equals("nginx") ? ChatPayloads.UPSTREAM_MODEL
                : ChatPayloads.CLIENT_MODEL;
        String body = response.body();
        if (response.statusCode() != 200 || !body.contains("\"model\":\"" + model + "\"")) {
            throw new IOException("probe: expected 200 with \"model\":\"" + model + "\", got " + response.statusCode()
                    + ": " + body.substring(0, Math.min(300, body.length())));
        }
        int events = options.stream() ? body.split("\n\n", -1).length - 1 : 0;
        if (options.stream()) {
            System.out.println("  probe: 200, " + events + " events");
        }
        return events;
    }

    /** Where proxies run for this layout; null (unpinned) when the machine cannot honour it. */
    private String proxyCpus() {
        if (Proxies.findOnPath("taskset").isEmpty()) {
            System.out.println("warning: taskset not found; nothing is pinned, so figures mix in cross-core effects");
            return null;
        }
        if (!"0".equals(ProcStats.allowedCpus())) {
            System.out.println("warning: this JVM may run on cpus " + ProcStats.allowedCpus()
                    + "; start it with `taskset -c 0` (scripts/bench does) so load and mock stay on cpu 0");
        }
        if (options.layout() == HarnessOptions.Layout.SPLIT && !Files.exists(Path.of("/sys/devices/system/cpu/cpu1"))) {
            System.out.println("warning: no cpu 1 here; the split layout falls back to shared");
            return HarnessOptions.Layout.SHARED.proxyCpus;
        }
        return options.layout().proxyCpus;
    }

    private byte[] requestBody(HarnessOptions.Phase phase) {
        return ChatPayloads.chatRequest(ChatPayloads.CLIENT_MODEL, options.stream(), phase.events(),
                options.requestBytes());
    }

    /**
     * The proxies' logs and wrk's reports, into {@code out/logs}. A log with the access log on grows by the request;
     * of a long one only its start and end are kept, which is where startup and failures show.
     */
    private void copyLogs(Path out) throws IOException {
        Path logs = Files.createDirectories(out.resolve("logs"));
        try (var files = Files.walk(runDir)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String name = runDir.relativize(file).toString().replace('/', '-');
                if (name.endsWith(".log") || name.endsWith("-wrk.txt") || name.equals("request.json")) {
                    copyHeadAndTail(file, logs.resolve(name), 256 << 10);
                }
            }
        }
    }

    private static void copyHeadAndTail(Path from, Path to, int keep) throws IOException {
        long size = Files.size(from);
        try (InputStream in = Files.newInputStream(from); OutputStream copy = Files.newOutputStream(to)) {
            if (size <= 2L * keep) {
                in.transferTo(copy);
                return;
            }
            copy.write(in.readNBytes(keep));
            copy.write(("\n... %d bytes left out ...\n".formatted(size - 2L * keep)).getBytes(StandardCharsets.UTF_8));
            in.skipNBytes(size - 2L * keep);
            copy.write(in.readAllBytes());
        }
    }

    private static long peakRss(ProxyProcess proxy) {
        return proxy == null ? -1 : ProcStats.peakRssKib(proxy.handle());
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            return socket.getLocalPort();
        }
    }

    private static long nanos(double seconds) {
        return (long) (seconds * 1e9);
    }

    /**
     * Reads the proxy's RSS and CPU time while every held stream is open: from the window's end, when the last one
     * has opened, for {@code sampleSeconds}. On its own thread: the generator's loop must not pause for /proc.
     */
    private static final class HeldSampler implements LoadGenerator.WindowListener {
        private final ProxyProcess proxy;
        private final Thread thread = new Thread(this::sample, "held-streams-sampler");
        private final long sampleNanos;
        private volatile long openRssKib = -1;
        private volatile double cpuShare = Double.NaN;

        HeldSampler(ProxyProcess proxy, double sampleSeconds) {
            this.proxy = proxy;
            this.sampleNanos = nanos(sampleSeconds);
        }

        @Override
        public void measureStarted() {
            // Nothing to read yet: the streams are still opening.
        }

        @Override
        public void measureEnded() {
            thread.start();
        }

        TargetResult.Held result(long idleRssKib) throws InterruptedException {
            thread.join();
            return new TargetResult.Held(idleRssKib, openRssKib, cpuShare);
        }

        private void sample() {
            double cpuAtAllOpen = ProcStats.cpuSeconds(proxy.handle());
            long from = System.nanoTime();
            try {
                TimeUnit.NANOSECONDS.sleep(sampleNanos);
            } catch (InterruptedException e) {
                return;
            }
            openRssKib = ProcStats.rssKib(proxy.handle());
            cpuShare = (ProcStats.cpuSeconds(proxy.handle()) - cpuAtAllOpen) / ((System.nanoTime() - from) / 1e9);
        }
    }

    /** Reads the proxy's CPU time when the measured window opens and closes. */
    private static final class CpuWindow implements LoadGenerator.WindowListener {
        private final ProxyProcess proxy;
        private double atStart = Double.NaN;
        private double atEnd = Double.NaN;

        CpuWindow(ProxyProcess proxy) {
            this.proxy = proxy;
        }

        @Override
        public void measureStarted() {
            if (proxy != null) {
                atStart = ProcStats.cpuSeconds(proxy.handle());
            }
        }

        @Override
        public void measureEnded() {
            if (proxy != null) {
                atEnd = ProcStats.cpuSeconds(proxy.handle());
            }
        }

        double seconds() {
            return atEnd - atStart;
        }
    }
}
