package dev.llmgateway;

import dev.llmgateway.config.ConfigException;
import dev.llmgateway.config.ConfigLoader;
import dev.llmgateway.config.ConfigReloader;
import dev.llmgateway.config.GatewayConfig;
import dev.llmgateway.cost.PriceTable;
import dev.llmgateway.config.ProviderConfig;
import dev.llmgateway.config.ServerConfig;
import dev.llmgateway.server.AsyncLogHandler;
import dev.llmgateway.server.GatewayServer;
import dev.llmgateway.server.Warmup;
import io.netty.util.ResourceLeakDetector;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Command line: {@code [--config FILE] [--check-config]}. Loads and validates the config, then serves until
 * SIGTERM (or SIGINT), which drains gracefully and exits 0. SIGHUP, and a change of the file, reload the config.
 */
public final class Gateway {
    private static final String USAGE = """
            usage: java -jar llm-gateway.jar [--config FILE] [--check-config] [--no-warmup] [--warmup-and-exit]
              --config FILE        the TOML config (default: config.toml)
              --check-config       validate the config, print what it enables, and exit (0 valid, 2 invalid)
              --no-warmup          /ready says ready at once, without the startup warm-up (server.warmup_requests)
              --warmup-and-exit    start on 127.0.0.1 (any free port), run the warm-up, stop: the training run
                                   that records a class-data archive (-XX:ArchiveClassesAtExit)
            Settings can be overridden from the environment: LLM_GATEWAY__SERVER__PORT=9000 sets server.port.
            """;

    private Gateway() {
    }

    public static void main(String[] args) throws InterruptedException {
        // Netty's default leak detection records stack traces of sampled buffers (2-4 % of the CPU under load): off
        // in the product unless -Dio.netty.leakDetection.level asks for it. Set before any Netty class loads.
        if (System.getProperty("io.netty.leakDetection.level") == null
                && System.getProperty("io.netty.leakDetectionLevel") == null) {
            System.setProperty("io.netty.leakDetection.level", "disabled");
        }
        Path configPath = Path.of("config.toml");
        boolean checkOnly = false;
        boolean warmUp = true;
        boolean exitAfterWarmup = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--config" -> {
                    if (i + 1 >= args.length) {
                        fail("--config needs a file");
                    }
                    configPath = Path.of(args[++i]);
                }
                case "--check-config" -> checkOnly = true;
                case "--no-warmup" -> warmUp = false;
                case "--warmup-and-exit" -> exitAfterWarmup = true;
                case "-h", "--help" -> {
                    System.out.print(USAGE);
                    return;
                }
                default -> fail("unknown argument: " + args[i] + "\n" + USAGE);
            }
        }
        Map<String, String> env = System.getenv();
        if (exitAfterWarmup) {
            // The training run must not need the configured port, which a running gateway may hold.
            env = new HashMap<>(env);
            env.put("LLM_GATEWAY__SERVER__HOST", "127.0.0.1");
            env.put("LLM_GATEWAY__SERVER__PORT", "0");
        }
        String text;
        GatewayConfig config;
        try {
            text = ConfigLoader.read(configPath);
            config = ConfigLoader.parse(text, configPath.toString(), env);
        } catch (ConfigException e) {
            System.err.println(configPath + " is not a valid gateway config:");
            e.problems().forEach(problem -> System.err.println("  " + problem));
            System.exit(2);
            return;
        }
        config.warnings().forEach(warning -> System.err.println("warning: " + warning));
        PriceTable prices = PriceTable.of(config.prices());
        prices.unpricedRoutes(config).forEach(warning -> System.err.println("warning: " + warning));
        if (checkOnly) {
            System.out.println(configPath + " is valid: " + summary(config) + "; price table of " + prices.date());
            return;
        }
        AsyncLogHandler logHandler = AsyncLogHandler.install(System.err, Level.INFO);
        Logger log = Logger.getLogger(Gateway.class.getName());
        GatewayServer server = GatewayServer.start(config, warmUp || exitAfterWarmup);
        log.info("listening on " + config.server().host() + ":" + server.port() + " (" + server.transport().name()
                + ", " + server.ioThreads() + " event loops, Netty leak detection "
                + ResourceLeakDetector.getLevel().name().toLowerCase(Locale.ROOT) + "); " + summary(config));
        CompletableFuture<Void> warmed = server.warmup().handle((result, failure) -> {
            logWarmup(log, config.server(), result, failure);
            return null;
        });
        if (exitAfterWarmup) {
            warmed.join();
            server.close();
            logHandler.flush();
            return;
        }
        ConfigReloader reloader = new ConfigReloader(configPath, System.getenv(), text, server,
                server.metrics()::configReload);
        reloader.watch();
        String noHangup = reloader.reloadOnHangup();
        Duration every = config.server().configReload();
        if (noHangup != null) {
            log.warning("SIGHUP reload is unavailable: " + noHangup + "; " + (every.isZero()
                    ? "with the file watch off too (server.config_reload = \"0s\"), a config change needs a restart"
                    : "the file watch still reloads a changed " + configPath));
        }
        log.info("config reload: " + (every.isZero() ? "file watch off (server.config_reload = \"0s\")"
                : configPath + " checked for changes every " + every.toMillis() + " ms")
                + (noHangup == null ? "; SIGHUP reloads it" : ""));
        CountDownLatch stopped = new CountDownLatch(1);
        // java.util.logging's own shutdown hook resets every logger while this one runs: write to the handler.
        Consumer<String> shutdownLog = message -> {
            LogRecord record = new LogRecord(Level.INFO, message);
            record.setLoggerName(Gateway.class.getName());
            logHandler.publish(record);
        };
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            reloader.close();
            Duration drainTimeout = server.running().server().drainTimeout();
            shutdownLog.accept("draining: /ready answers 503, no new connections, in-flight requests get up to "
                    + drainTimeout.toMillis() + " ms");
            try {
                shutdownLog.accept(server.drain(drainTimeout) ? "drained"
                        : "drain_timeout reached: requests still running were ended with a draining error");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            server.close();
            shutdownLog.accept("stopped");
            logHandler.flush();
            // A JVM ended by SIGTERM exits 143; a drained gateway stopped as asked, which orchestrators read as 0.
            stopped.countDown();
            Runtime.getRuntime().halt(0);
        }, "gateway-shutdown"));
        stopped.await(); // the event loops run on daemon threads: main keeps the process alive
    }

    private static void logWarmup(Logger log, ServerConfig server, Warmup.Result result, Throwable failure) {
        if (failure != null) {
            log.log(Level.WARNING, "warm-up failed; /ready says ready without it", failure);
        } else if (result == null) {
            log.info("warm-up off" + (server.warmupRequests() == 0 ? " (server.warmup_requests = 0)" : "")
                    + "; /ready says ready");
        } else {
            String line = "warm-up: " + result.answered() + " requests (" + result.answeredOverTls()
                    + " over TLS to the upstream, " + result.answeredOverHttp2() + " of them on HTTP/2) in "
                    + result.took().toMillis() + " ms"
                    + (result.timedOut() ? ", stopped by server.warmup_timeout (" + server.warmupTimeout().toMillis()
                    + " ms)" : "") + "; /ready says ready";
            if (result.failed() > 0) {
                log.warning(line + "; " + result.failed() + " warm-up requests failed, which is a gateway bug");
            } else {
                log.info(line);
            }
        }
    }

    private static String summary(GatewayConfig config) {
        StringBuilder providers = new StringBuilder();
        for (ProviderConfig provider : config.providers().values()) {
            providers.append(providers.length() == 0 ? "" : ", ")
                    .append(provider.name()).append(" (").append(provider.type().name().toLowerCase()).append(')');
        }
        return "providers: " + (providers.length() == 0 ? "none" : providers) + "; " + config.models().size()
                + " model aliases; " + config.apiKeys().size() + " API keys";
    }

    private static void fail(String message) {
        System.err.println(message);
        System.exit(2);
    }
}
