package dev.llmgateway.server;

import dev.llmgateway.config.ConfigException;
import dev.llmgateway.config.ConfigLoader;
import dev.llmgateway.config.ConfigReloader;
import dev.llmgateway.testutil.FakeUpstream;
import dev.llmgateway.testutil.Fixtures;
import dev.llmgateway.testutil.GatewayHarness;
import dev.llmgateway.testutil.PrometheusText;
import dev.llmgateway.testutil.RawHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Config reload against a real gateway on loopback, two fake providers and real clients: the config file is
 * rewritten and reloaded as SIGHUP or the file watch would, through the same {@link ConfigReloader}.
 */
class ConfigReloadTest {
    private static final String UPSTREAM_MODEL = "gpt-4o-mini-2024-07-18";
    private static final String CHAT = "{\"model\":\"fast\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static final String STREAM_CHAT = "{\"model\":\"fast\",\"stream\":true,"
            + "\"stream_options\":{\"include_usage\":true},\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    @TempDir
    Path dir;
    private Path file;
    private final List<AutoCloseable> open = new ArrayList<>();
    private FakeUpstream a;
    private FakeUpstream b;
    private GatewayHarness gateway;
    private ConfigReloader reloader;

    @AfterEach
    void close() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private void startUpstreams() throws InterruptedException {
        a = keep(new FakeUpstream(FakeUpstream.json("openai/chat-completion.json")));
        b = keep(new FakeUpstream(FakeUpstream.json("openai/chat-completion.json")));
    }

    private <T extends AutoCloseable> T keep(T closeable) {
        open.add(closeable);
        return closeable;
    }

    /** A config with providers a and b; {@code rest} adds aliases and more. */
    private String config(String server, String keyLimits, String rest) {
        return """
                [server]
                host = "127.0.0.1"
                port = 0
                io_threads = 1
                %s

                [[api_keys]]
                name = "tester"
                key = "%s"
                %s

                [providers.a]
                type = "openai_compatible"
                base_url = "%s"

                [providers.b]
                type = "openai_compatible"
                base_url = "%s"

                %s
                """.formatted(server, GatewayHarness.KEY, keyLimits, a.baseUrl(), b.baseUrl(), rest);
    }

    private static String alias(String provider) {
        return """
                [models."fast"]
                provider = "%s"
                api_model = "%s"
                """.formatted(provider, UPSTREAM_MODEL);
    }

    private void start(String toml) throws Exception {
        file = dir.resolve("gateway.toml");
        Files.writeString(file, toml);
        String text = ConfigLoader.read(file);
        gateway = keep(GatewayHarness.start(ConfigLoader.parse(text, file.toString(), Map.of())));
        reloader = keep(new ConfigReloader(file, Map.of(), text, gateway.server(),
                gateway.server().metrics()::configReload));
    }

    private boolean rewriteAndReload(String toml) throws Exception {
        Files.writeString(file, toml);
        return reloader.reload("test").get(10, TimeUnit.SECONDS);
    }

    private String metrics() throws Exception {
        return gateway.get("/metrics", null).body();
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting until " + what);
            }
            Thread.sleep(20);
        }
    }

    @Test
    void anOpenStreamCompletesOnTheOldRouteAndTheNextRequestTakesTheNewOne() throws Exception {
        startUpstreams();
        start(config("", "", alias("a")));
        String events = new String(Fixtures.bytes("openai/chat-completion-stream.sse"), StandardCharsets.UTF_8);
        int firstEventEnd = events.indexOf("\n\n") + 2;
        CompletableFuture<Void> reloaded = new CompletableFuture<>();
        a.script(reply -> {
            reply.head(200, "OK", true, "content-type", "text/event-stream");
            reply.body(events.substring(0, firstEventEnd));
            reloaded.get(10, TimeUnit.SECONDS);
            reply.body(events.substring(firstEventEnd));
            reply.end();
        });

        try (RawHttpClient stream = new RawHttpClient(gateway.port())) {
            RawHttpClient.Response head = stream.send(RawHttpClient.post("/v1/chat/completions",
                    GatewayHarness.KEY, STREAM_CHAT)).readHead();
            assertEquals(200, head.status());
            assertEquals("a", head.headers().get("x-gateway-provider"));

            // The alias moves to b, and a is removed altogether, while a's stream is open.
            assertTrue(rewriteAndReload(config("", "", alias("b")).replaceFirst(
                    "(?s)\\[providers\\.a]\\ntype = \"openai_compatible\"\\nbase_url = \"[^\"]+\"\\n", "")));
            reloaded.complete(null);

            assertEquals(events.replace("\"model\":\"" + UPSTREAM_MODEL + "\"", "\"model\":\"fast\""),
                    stream.readChunkedBody(), "the stream completes byte for byte from a");
        }
        HttpResponse<String> next = gateway.post("/v1/chat/completions", CHAT);
        assertEquals(200, next.statusCode());
        assertEquals("b", next.headers().firstValue("x-gateway-provider").orElseThrow());
        assertEquals(1, a.received().size());
        assertEquals(1, b.received().size(), "the next request went to b");
        await(() -> a.connectionsClosed() == 1, "a's connection, busy at the reload, closes once released");

        String ready = gateway.get("/ready", null).body();
        assertEquals("{\"status\":\"ready\",\"providers\":{\"b\":\"closed\"}}", ready);
        String models = gateway.get("/v1/models", GatewayHarness.KEY).body();
        assertTrue(models.contains("\"owned_by\":\"b\"") && !models.contains("\"owned_by\":\"a\""), models);
        assertEquals(1, PrometheusText.value(metrics(), "llm_config_reloads_total", "result", "ok"));
    }

    @Test
    void aBrokenFileKeepsTheRunningConfigAndLogsEveryProblem() throws Exception {
        startUpstreams();
        String valid = config("", "", alias("a"));
        start(valid);
        String broken = config("max_connections = 0", "", alias("nope"));
        Files.writeString(file, broken);
        List<String> problems = assertThrows(ConfigException.class,
                () -> ConfigLoader.load(file, Map.of())).problems();
        assertEquals(2, problems.size(), problems.toString());

        try (WarningRecorder log = WarningRecorder.on(ConfigReloader.class.getName())) {
            assertFalse(reloader.reload("test").get(10, TimeUnit.SECONDS));
            for (String problem : problems) {
                assertTrue(log.messages().contains(ConfigReloader.class.getName() + ":   " + problem),
                        "logged as --check-config prints it: " + problem + " in " + log.messages());
            }
            Files.delete(file);
            assertFalse(reloader.reload("test").get(10, TimeUnit.SECONDS));
            assertTrue(log.messages().stream().anyMatch(m -> m.contains("file not found")), log.messages().toString());
        }

        HttpResponse<String> served = gateway.post("/v1/chat/completions", CHAT);
        assertEquals(200, served.statusCode());
        assertEquals("a", served.headers().firstValue("x-gateway-provider").orElseThrow());
        String metrics = metrics();
        assertEquals(2, PrometheusText.value(metrics, "llm_config_reloads_total", "result", "failed"));
        assertEquals(0, PrometheusText.value(metrics, "llm_config_reloads_total", "result", "ok"));
    }

    @Test
    void keyLimitsAndInFlightCountsCarryOverByKeyName() throws Exception {
        startUpstreams();
        start(config("", "requests_per_minute = 2", alias("a")));
        assertEquals(200, gateway.post("/v1/chat/completions", CHAT).statusCode());
        assertEquals(200, gateway.post("/v1/chat/completions", CHAT).statusCode());
        assertEquals(429, gateway.post("/v1/chat/completions", CHAT).statusCode());

        assertTrue(rewriteAndReload(config("", "requests_per_minute = 2", alias("b"))));
        assertEquals(429, gateway.post("/v1/chat/completions", CHAT).statusCode(),
                "the minute's two requests still count after the reload");
        assertTrue(rewriteAndReload(config("", "requests_per_minute = 3", alias("b"))));
        assertEquals(200, gateway.post("/v1/chat/completions", CHAT).statusCode(), "a raised limit admits one more");
        assertEquals(429, gateway.post("/v1/chat/completions", CHAT).statusCode());

        CompletableFuture<Void> release = new CompletableFuture<>();
        b.script(reply -> {
            release.get(10, TimeUnit.SECONDS);
            reply.full(200, "OK", "application/json", Fixtures.bytes("openai/chat-completion.json"));
        });
        assertTrue(rewriteAndReload(config("", "max_concurrent = 1", alias("b"))));
        CompletableFuture<HttpResponse<String>> first = CompletableFuture.supplyAsync(() -> {
            try {
                return gateway.post("/v1/chat/completions", CHAT);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        await(() -> b.received().size() == 2, "the first request is at the provider");
        assertTrue(rewriteAndReload(config("", "max_concurrent = 1", alias("b") + "[models.other]\nprovider = \"a\"\n")));
        assertEquals(429, gateway.post("/v1/chat/completions", CHAT).statusCode(),
                "the request in flight since before the reload still holds the key's one slot");
        release.complete(null);
        assertEquals(200, first.get(10, TimeUnit.SECONDS).statusCode());
        assertEquals(200, gateway.post("/v1/chat/completions", CHAT).statusCode(), "its slot was returned");
    }

    @Test
    void aRemovedOrChangedProviderClosesItsIdleConnectionsAndAnUnchangedOneKeepsThem() throws Exception {
        startUpstreams();
        try (FakeUpstream c = new FakeUpstream(FakeUpstream.json("openai/chat-completion.json"))) {
            String third = """
                    [providers.c]
                    type = "openai_compatible"
                    base_url = "%s"
                    %s
                    [models."slow"]
                    provider = "c"
                    [models."steady"]
                    provider = "b"
                    """;
            start(config("", "", alias("a") + third.formatted(c.baseUrl(), "")));
            for (String model : new String[] {"fast", "slow", "steady"}) {
                assertEquals(200, gateway.post("/v1/chat/completions", CHAT.replace("fast", model)).statusCode());
            }
            assertEquals(0, a.connectionsClosed() + b.connectionsClosed() + c.connectionsClosed());

            // a leaves the config, c changes (max_connections), b stays as it was.
            String next = config("", "", alias("b") + third.formatted(c.baseUrl(), "max_connections = 8"))
                    .replaceFirst("(?s)\\[providers\\.a]\\ntype = \"openai_compatible\"\\nbase_url = \"[^\"]+\"\\n", "");
            assertTrue(rewriteAndReload(next));
            await(() -> a.connectionsClosed() == 1, "the removed provider's idle connection is closed");
            await(() -> c.connectionsClosed() == 1, "the changed provider's idle connection is closed");

            assertEquals(200, gateway.post("/v1/chat/completions", CHAT.replace("fast", "steady")).statusCode());
            assertEquals(200, gateway.post("/v1/chat/completions", CHAT.replace("fast", "slow")).statusCode());
            assertEquals(0, b.connectionsClosed());
            assertEquals(1, b.connectionsAccepted(), "the unchanged provider kept its pooled connection");
            assertEquals(2, c.connectionsAccepted(), "the changed provider has a new pool");
            String metrics = metrics();
            assertEquals(0, PrometheusText.value(metrics, "llm_upstream_connections", "provider", "a"),
                    "the removed provider's pool is gone");
            assertEquals(1, PrometheusText.value(metrics, "llm_upstream_connections", "provider", "c", "state",
                    "open"));
        }
    }

    @Test
    void settingsBoundToTheListenerKeepTheirRunningValuesAndTheRestApplies() throws Exception {
        startUpstreams();
        start(config("", "", alias("a")));
        try (WarningRecorder log = WarningRecorder.on(ConfigReloader.class.getName())) {
            assertTrue(rewriteAndReload(config("", "", alias("b")).replace("port = 0", "port = 1")
                    .replace("io_threads = 1", "io_threads = 3\nmax_request_bytes = 2048")));
            assertEquals(List.of(
                    ConfigReloader.class.getName() + ": config reload: server.port changed; it takes effect after a"
                            + " restart (the running value is kept)",
                    ConfigReloader.class.getName() + ": config reload: server.io_threads changed; it takes effect"
                            + " after a restart (the running value is kept)"), log.messages());
        }
        assertEquals(0, gateway.server().running().server().port());
        assertEquals(2048, gateway.server().running().server().maxRequestBytes());
        String big = CHAT.replace("hi", "x".repeat(4096));
        try (RawHttpClient client = new RawHttpClient(gateway.port())) {
            assertEquals(413, client.send(RawHttpClient.post("/v1/chat/completions", GatewayHarness.KEY, big))
                    .read().status(), "the new body limit applies to a new connection");
        }
        assertEquals("b", gateway.post("/v1/chat/completions", CHAT).headers().firstValue("x-gateway-provider")
                .orElseThrow());
    }

    @Test
    void theFileWatchReloadsAChangedFileOnlyWhenItsContentChanges() throws Exception {
        startUpstreams();
        // Laid out as a Kubernetes ConfigMap volume: gateway.toml → ..data/gateway.toml, ..data → ..v1.
        Path v1 = Files.createDirectory(dir.resolve("..v1"));
        String first = config("config_reload = \"200ms\"", "", alias("a"));
        Files.writeString(v1.resolve("gateway.toml"), first);
        Files.createSymbolicLink(dir.resolve("..data"), v1.getFileName());
        Path link = Files.createSymbolicLink(dir.resolve("gateway.toml"), Path.of("..data", "gateway.toml"));
        String text = ConfigLoader.read(link);
        gateway = keep(GatewayHarness.start(ConfigLoader.parse(text, link.toString(), Map.of())));
        reloader = keep(new ConfigReloader(link, Map.of(), text, gateway.server(),
                gateway.server().metrics()::configReload));
        reloader.watch();

        Files.writeString(v1.resolve("gateway.toml"), first);
        Thread.sleep(1000);
        assertEquals(0, PrometheusText.value(metrics(), "llm_config_reloads_total"),
                "the same content written again is no change");

        Path v2 = Files.createDirectory(dir.resolve("..v2"));
        Files.writeString(v2.resolve("gateway.toml"), config("config_reload = \"200ms\"", "", alias("b")));
        Path next = Files.createSymbolicLink(dir.resolve("..data_tmp"), v2.getFileName());
        Files.move(next, dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);

        await(() -> {
            try {
                return PrometheusText.value(metrics(), "llm_config_reloads_total", "result", "ok") == 1;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "the swapped file is reloaded");
        assertEquals("b", gateway.post("/v1/chat/completions", CHAT).headers().firstValue("x-gateway-provider")
                .orElseThrow());
    }
}
