package dev.llmgateway.bench.load;

import dev.llmgateway.bench.ChatPayloads;
import io.netty.channel.EventLoopGroup;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs one workload against direct (the mock upstream itself), nginx and the gateway, one after the other in the
 * same run and layout, and reports them side by side: what matters is the difference, not the absolute figures
 * (DESIGN.md §9). Exit status 0 when every target answered every measured request with 2xx, 1 when not, 64 for a
 * bad command line.
 */
public final class LoadHarness {
    private final HarnessOptions options;
    private final NettyTransport transport = NettyTransport.best();
    private final byte[] requestBody;
    private volatile ProxyProcess running;

    private LoadHarness(HarnessOptions options) {
        this.options = options;
        this.requestBody = ChatPayloads.chatRequest(ChatPayloads.CLIENT_MODEL, options.stream(),
                options.events(), options.requestBytes());
    }

    public static void main(String[] args) throws Exception {
        HarnessOptions options;
        try {
            if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
                System.out.print(HarnessOptions.USAGE);
                return;
            }
            options = HarnessOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.print(HarnessOptions.USAGE);
            System.exit(64);
            return;
        }
        System.exit(new LoadHarness(options).run());
    }

    private int run() throws Exception {
        boolean ownRunDir = options.runDir() == null;
        Path runDir = ownRunDir ? Files.createTempDirectory("gateway-bench-")
                : Files.createDirectories(options.runDir());
        String proxyCpus = proxyCpus();
        // A kill of this JVM (Ctrl-C, the script's trap) must not leave a proxy running.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            ProxyProcess proxy = running;
            if (proxy != null) {
                proxy.close();
            }
        }));
        System.out.println("workload: " + options.describe());
        System.out.println("transport " + transport.name() + "; this JVM on cpus " + ProcStats.allowedCpus()
                + "; proxies on cpus " + (proxyCpus == null ? "(not pinned)" : proxyCpus) + "; scratch " + runDir);
        EventLoopGroup mockGroup = transport.newGroup("mock-upstream");
        EventLoopGroup loadGroup = transport.newGroup("load-generator");
        List<TargetResult> results = new ArrayList<>();
        try (MockUpstream mock = MockUpstream.start(transport, mockGroup, 0, options.eventDelayMs(), 0)) {
            warmUpHarness(mock.port(), loadGroup);
            for (String target : options.targets()) {
                System.out.println("measuring " + target + " ...");
                if (target.equals("nginx") && Proxies.findOnPath("nginx").isEmpty()) {
                    System.out.println("  nginx is not installed (apt-get install -y nginx): no nginx column");
                    continue;
                }
                results.add(measure(target, mock.port(), proxyCpus, runDir, loadGroup));
            }
        } finally {
            loadGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            mockGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
        System.out.println();
        System.out.print(ResultTable.render(options, results));
        Path out = Files.createDirectories(options.out());
        ReportFiles.write(out, options, results);
        copyLogs(runDir, out);
        if (ownRunDir) {
            deleteTree(runDir);
        }
        System.out.println("\nwrote " + out.resolve("results.json") + ", " + out.resolve("report.html"));
        return results.stream().allMatch(TargetResult::ok) ? 0 : 1;
    }

    private TargetResult measure(String target, int mockPort, String proxyCpus, Path runDir, EventLoopGroup loadGroup) {
        ProxyProcess proxy = null;
        try {
            int port = mockPort;
            if (target.equals("nginx")) {
                port = freePort();
                proxy = Proxies.startNginx(Proxies.findOnPath("nginx").orElseThrow(), runDir, port, mockPort,
                        proxyCpus);
            } else if (target.equals("gateway")) {
                port = freePort();
                proxy = Proxies.startGateway(options.gatewayJar(), options.gatewayJavaOpts(), runDir, port,
                        mockPort, proxyCpus);
            }
            running = proxy;
            if (proxy != null) {
                proxy.awaitListening(port, 30_000);
            }
            probe(target, port);
            return load(target, port, proxy, loadGroup);
        } catch (Exception e) {
            System.out.println("  " + target + " failed: " + e.getMessage());
            return TargetResult.failed(target, String.valueOf(e.getMessage()));
        } finally {
            if (proxy != null) {
                proxy.close();
                running = null;
            }
        }
    }

    private TargetResult load(String target, int port, ProxyProcess proxy, EventLoopGroup loadGroup)
            throws InterruptedException {
        LoadGenerator.Request request = new LoadGenerator.Request("127.0.0.1", port, requestBody,
                Proxies.API_KEY, options.stream());
        CpuWindow cpu = new CpuWindow(proxy);
        try (LoadGenerator generator = new LoadGenerator(transport, loadGroup, request)) {
            generator.connect(options.connections());
            LoadResult result = generator.run(options.mode(), options.rate(), seconds(options.warmupSeconds()),
                    seconds(options.durationSeconds()), TimeUnit.SECONDS.toNanos(10), cpu);
            long peakRss = proxy == null ? -1 : ProcStats.peakRssKib(proxy.handle());
            return new TargetResult(target, result, null, cpu.seconds(), peakRss);
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
        LoadGenerator.Request request = new LoadGenerator.Request("127.0.0.1", mockPort, requestBody,
                Proxies.API_KEY, options.stream());
        try (LoadGenerator generator = new LoadGenerator(transport, loadGroup, request)) {
            generator.connect(options.connections());
            generator.run(options.mode(), options.rate(), seconds(options.warmupSeconds()), 0,
                    TimeUnit.SECONDS.toNanos(10), new CpuWindow(null));
        }
    }

    /**
     * One request before the load, to fail early and clearly: the target must answer 200, and with the model name
     * the client should see (the gateway rewrites the upstream's dated name back to the alias that was asked for).
     */
    private void probe(String target, int port) throws IOException, InterruptedException {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"))
                .timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + Proxies.API_KEY)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(requestBody)).build();
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        String model = target.equals("gateway") ? ChatPayloads.CLIENT_MODEL : ChatPayloads.UPSTREAM_MODEL;
        if (response.statusCode() != 200 || !response.body().contains("\"model\":\"" + model + "\"")) {
            String body = response.body();
            throw new IOException("probe: expected 200 with \"model\":\"" + model + "\", got " + response.statusCode()
                    + ": " + body.substring(0, Math.min(300, body.length())));
        }
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

    private static void copyLogs(Path runDir, Path out) throws IOException {
        Path logs = Files.createDirectories(out.resolve("logs"));
        for (String name : List.of("gateway.log", "nginx.log", "nginx/error.log")) {
            Path log = runDir.resolve(name);
            if (Files.exists(log)) {
                Files.copy(log, logs.resolve(name.replace('/', '-')), StandardCopyOption.REPLACE_EXISTING);
            }
        }
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

    private static long seconds(double seconds) {
        return (long) (seconds * 1e9);
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
