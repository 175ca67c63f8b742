package dev.llmgateway.bench.load;

import dev.llmgateway.bench.ChatPayloads;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http2.Http2Headers;
import org.HdrHistogram.Histogram;

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
    /** Cancel mode: failed exchanges (no first event, an error status) after which a target counts as failed. */
    private static final int MAX_CANCEL_FAILURES = 10;
    /** Cancel mode: the pause after each cancel, so they come at well under 100 a second. */
    private static final long CANCEL_PAUSE_MILLIS = 20;

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
            MockUpstream upstream = httpsMock == null ? mock : httpsMock;
            WrkLoad wrk = options.usesWrk()
                    ? new WrkLoad(Proxies.findOnPath("wrk").orElseThrow(), runDir, measuredBody) : null;
            for (String target : options.targets()) {
                System.out.println("measuring " + target + " ...");
                if (target.equals("nginx") && Proxies.findOnPath("nginx").isEmpty()) {
                    System.out.println("  nginx is not installed (apt-get install -y nginx): no nginx column");
                    continue;
                }
                // Direct stays plain text: the floor the proxies' rows are read against.
                results.add(measure(target, target.equals("direct") ? mock : upstream, upstream.port(), proxyCpus,
                        loadGroup, wrk, target.equals(TRACED) ? collector.endpoint() : null));
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

    /**
     * {@code reached}: the mock the target talks to (the plain one for direct), whose connections are counted;
     * {@code upstreamPort}: where the proxies reach the mock (its https port with {@code --upstream-tls on}).
     */
    private TargetResult measure(String target, MockUpstream reached, int upstreamPort, String proxyCpus,
                                 EventLoopGroup loadGroup, WrkLoad wrk, String traceEndpoint) {
        ProxyProcess proxy = null;
        ProxyProcess redis = null;
        try {
            int port = reached.port();
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
            int eventsPerAnswer = probe(target, port, loadGroup);
            if (wrk != null) {
                CpuWindow cpu = new CpuWindow(proxy);
                LoadResult result = wrk.run(target, port, measured.connections(), options.warmupSeconds(),
                        options.durationSeconds(), eventsPerAnswer, cpu);
                return new TargetResult(target, result, null, cpu.seconds(), peakRss(proxy), null, null);
            }
            return switch (options.mode()) {
                case HELD -> holdStreams(target, port, proxy, reached, loadGroup);
                case CANCEL -> cancels(target, port, proxy, reached, loadGroup);
                case CLOSED, OPEN -> load(target, port, proxy, reached, loadGroup);
            };
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

    private TargetResult load(String target, int port, ProxyProcess proxy, MockUpstream reached,
                              EventLoopGroup loadGroup) throws InterruptedException {
        CpuWindow cpu = new CpuWindow(proxy);
        UpstreamWindow upstream = new UpstreamWindow(cpu, reached.connections());
        LoadResult result = drive(port, loadGroup, measured, measuredBody, options.warmupSeconds(),
                options.windowSeconds(), upstream);
        return new TargetResult(target, result, null, cpu.seconds(), peakRss(proxy), null,
                upstream.result(options.upstreamProtocol(target)));
    }

    /**
     * Cancel mode, one stream at a time on one h2c connection: the client resets each at its first event, and the
     * mock notes when it saw that stream end. One clock (this JVM's) serves both ends. The first
     * {@link HarnessOptions#warmUpCancels} are not recorded. A short pause between cancels keeps them far below the
     * gateway's RST_STREAM flood limit (100 a second).
     */
    private TargetResult cancels(String target, int port, ProxyProcess proxy, MockUpstream reached,
                                 EventLoopGroup loadGroup) throws InterruptedException {
        Http2Headers headers = Http2Client.requestHeaders("127.0.0.1", port, LoadGenerator.PATH, Proxies.API_KEY,
                true, measuredBody.length);
        Histogram resetToUpstream = new Histogram(3);
        long seen = 0;
        long missed = 0;
        long failed = 0;
        long start = System.nanoTime();
        MockUpstream.ConnectionCount count = reached.connections();
        try (Http2Client client = Http2Client.connect(transport, loadGroup, "127.0.0.1", port)) {
            int warmUpCancels = options.warmUpCancels();
            for (int i = 0; i < warmUpCancels + options.cancels(); i++) {
                boolean recorded = i >= warmUpCancels;
                if (i == warmUpCancels) {
                    start = System.nanoTime();
                    count.reset();
                }
                reached.clearCancels();
                long reset;
                try {
                    reset = client.cancelAfterFirstBytes(headers, measuredBody, 5);
                } catch (IllegalStateException e) {
                    failed++;
                    if (failed > MAX_CANCEL_FAILURES) {
                        throw new IllegalStateException("cancel " + (i + 1) + ": " + e.getMessage(), e);
                    }
                    continue;
                }
                long upstream = reached.awaitCancel(TimeUnit.MILLISECONDS.toNanos(
                        HarnessOptions.CANCEL_TIMEOUT_MILLIS));
                if (recorded && upstream < 0) {
                    missed++;
                } else if (recorded) {
                    seen++;
                    resetToUpstream.recordValue(Math.max(0, upstream - reset) / 1000);
                }
                TimeUnit.MILLISECONDS.sleep(CANCEL_PAUSE_MILLIS);
            }
        }
        LoadResult result = new LoadResult(seen, failed, missed, (System.nanoTime() - start) / 1e9,
                resetToUpstream, new Histogram(3), new Histogram(3), new Histogram(3), 0, 0);
        return new TargetResult(target, result, null, Double.NaN, peakRss(proxy), null,
                new TargetResult.Upstream(options.upstreamProtocol(target), count.peak(), count.opened()));
    }

    /** Held streams: warm up with short streams, read the idle proxy's RSS, then open every stream. */
    private TargetResult holdStreams(String target, int port, ProxyProcess proxy, MockUpstream reached,
                                     EventLoopGroup loadGroup) throws InterruptedException {
        drive(port, loadGroup, warmUp, warmUpBody, options.warmupSeconds(), 0, new CpuWindow(null));
        long idleRss = proxy == null ? -1 : ProcStats.rssKib(proxy.handle());
        double window = options.windowSeconds();
        HeldSampler sampler = proxy == null ? null
                : new HeldSampler(proxy, Math.max(0.1, (options.durationSeconds() - window) / 2));
        UpstreamWindow upstream = new UpstreamWindow(sampler == null ? new CpuWindow(null) : sampler,
                reached.connections());
        LoadResult result = drive(port, loadGroup, measured, measuredBody, 0, window, upstream);
        TargetResult.Held held = sampler == null ? null : sampler.result(idleRss);
        return new TargetResult(target, result, null, Double.NaN, peakRss(proxy), held,
                upstream.result(options.upstreamProtocol(target)));
    }

    /** One generator run of {@code phase}: unrecorded warm-up, then the recorded window and its drain. */
    private LoadResult drive(int port, EventLoopGroup loadGroup, HarnessOptions.Phase phase, byte[] body,
                             double warmupSeconds, double windowSeconds, LoadGenerator.WindowListener window)
            throws InterruptedException {
        LoadGenerator.Request request = new LoadGenerator.Request("127.0.0.1", port, body, Proxies.API_KEY,
                options.stream(), options.clientHttp2(), options.streamsPerConnection());
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
        // Cancel mode's streams are long and one at a time: its unrecorded cancels warm up the harness too.
        if (options.warmupSeconds() <= 0 || options.mode() == HarnessOptions.LoadMode.CANCEL) {
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
    private int probe(String target, int port, EventLoopGroup loadGroup) throws IOException, InterruptedException {
        int status;
        String body;
        if (options.clientHttp2()) {
            // nginx's h2c port speaks nothing else; the JDK client would try Upgrade: h2c.
            try (Http2Client client = Http2Client.connect(transport, loadGroup, "127.0.0.1", port)) {
                Http2Client.Answer answer = client.fetch(Http2Client.requestHeaders("127.0.0.1", port,
                        LoadGenerator.PATH, Proxies.API_KEY, options.stream(), warmUpBody.length), warmUpBody, 10);
                status = answer.status();
                body = answer.body();
            }
        } else {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5)).build();
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + LoadGenerator.PATH))
                    .timeout(Duration.ofSeconds(10))
                    .header("Authorization", "Bearer " + Proxies.API_KEY)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(warmUpBody)).build();
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            status = response.statusCode();
            body = response.body();
        }
        String model = target.equals("direct") || target.equals("nginx") ? ChatPayloads.UPSTREAM_MODEL
                : ChatPayloads.CLIENT_MODEL;
        if (status != 200 || !body.contains("\"model\":\"" + model + "\"")) {
            throw new IOException("probe: expected 200 with \"model\":\"" + model + "\", got " + status
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

    /** Counts the connections to the mock from the measured window's start, passing the window on. */
    private static final class UpstreamWindow implements LoadGenerator.WindowListener {
        private final LoadGenerator.WindowListener next;
        private final MockUpstream.ConnectionCount count;

        UpstreamWindow(LoadGenerator.WindowListener next, MockUpstream.ConnectionCount count) {
            this.next = next;
            this.count = count;
        }

        @Override
        public void measureStarted() {
            count.reset();
            next.measureStarted();
        }

        @Override
        public void measureEnded() {
            next.measureEnded();
        }

        TargetResult.Upstream result(String protocol) {
            return new TargetResult.Upstream(protocol, count.peak(), count.opened());
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
