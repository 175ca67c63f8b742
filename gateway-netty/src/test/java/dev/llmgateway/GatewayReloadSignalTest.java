package dev.llmgateway;

import dev.llmgateway.testutil.GatewayProcess;
import dev.llmgateway.testutil.RawHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SIGHUP on a real gateway process reloads its config file, and does not stop it (the JVM's default). */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class GatewayReloadSignalTest {
    private static final String KEY = "test-key-0123456789";
    private static final String CHAT = "{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    private GatewayProcess gateway;

    @AfterEach
    void kill() {
        if (gateway != null) {
            gateway.close();
        }
    }

    /** The file watch is off, so only the signal can reload; {@code apiModel} is what the mock is sent. */
    private static String config(String apiModel) {
        return """
                [server]
                host = "127.0.0.1"
                port = 0
                io_threads = 1
                warmup_requests = 0
                config_reload = "0s"

                [[api_keys]]
                name = "tester"
                key = "%s"

                [providers.mock]
                type = "mock"
                tokens = 2
                token_delay = "0s"

                [models."chat"]
                provider = "mock"
                api_model = "%s"
                """.formatted(KEY, apiModel);
    }

    private RawHttpClient.Response chat() throws IOException {
        try (RawHttpClient client = new RawHttpClient(gateway.port())) {
            return client.send(RawHttpClient.post("/v1/chat/completions", KEY, CHAT)).read();
        }
    }

    @Test
    void sighupReloadsTheConfigAndTheGatewayKeepsServing(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("gateway.toml");
        Files.writeString(config, config("model-one"));
        gateway = new GatewayProcess(Gateway.class, dir, config);
        assertEquals("model-one", chat().headers().get("x-gateway-model"));

        Files.writeString(config, config("model-two"));
        gateway.signal("HUP");
        gateway.awaitOutput("config reloaded from " + config + " (SIGHUP): model aliases ~chat");

        assertTrue(gateway.isAlive(), "SIGHUP does not stop the gateway: " + gateway.output());
        RawHttpClient.Response after = chat();
        assertEquals(200, after.status());
        assertEquals("model-two", after.headers().get("x-gateway-model"));

        Files.writeString(config, config("model-three").replace("tokens = 2", "tokens = 0"));
        gateway.signal("HUP");
        gateway.awaitOutput("  providers.mock.tokens: 0 (expected: an integer from 1 to 100000)");
        assertEquals("model-two", chat().headers().get("x-gateway-model"), "a bad file leaves the config running");

        gateway.sigterm();
        assertEquals(0, gateway.exitCode(), gateway.output());
    }

    /**
     * Under nohup the process starts with SIGHUP ignored, and the JVM keeps an ignored SIGHUP ignored: the startup
     * log says that SIGHUP cannot reload (and what can), and a SIGHUP neither reloads nor stops the gateway.
     */
    @Test
    void underNohupStartupSaysSighupCannotReload(@TempDir Path dir) throws Exception {
        Path config = startUnderNohup(dir, config("model-one"),
                "with the file watch off too (server.config_reload = \"0s\"), a config change needs a restart");
        assertFalse(gateway.output().contains("SIGHUP reloads it"), gateway.output());

        Files.writeString(config, config("model-two"));
        gateway.signal("HUP");
        Thread.sleep(500); // a reload would have been logged and applied well within this

        assertTrue(gateway.isAlive(), gateway.output());
        assertEquals("model-one", chat().headers().get("x-gateway-model"));
        assertFalse(gateway.output().contains("config reloaded"), gateway.output());
        gateway.sigterm();
        assertEquals(0, gateway.exitCode(), gateway.output());
    }

    /** With the file watch on, the same startup warning says the watch still reloads, and it does. */
    @Test
    void underNohupTheFileWatchStillReloads(@TempDir Path dir) throws Exception {
        Path config = startUnderNohup(dir, watched("model-one"),
                "the file watch still reloads a changed " + dir.resolve("gateway.toml"));

        Files.writeString(config, watched("model-two"));
        gateway.awaitOutput("config reloaded from " + config + " (file change): model aliases ~chat");
        assertEquals("model-two", chat().headers().get("x-gateway-model"));
    }

    /** Starts the gateway on {@code toml} under nohup; its startup warning ends with {@code stillWorks}. */
    private Path startUnderNohup(Path dir, String toml, String stillWorks) throws Exception {
        Path config = dir.resolve("gateway.toml");
        Files.writeString(config, toml);
        gateway = new GatewayProcess(List.of("nohup"), Gateway.class, dir, config);
        gateway.awaitOutput("SIGHUP reload is unavailable: the process started with SIGHUP ignored (nohup or its"
                + " supervisor), which the JVM keeps; " + stillWorks);
        return config;
    }

    private static String watched(String apiModel) {
        return config(apiModel).replace("config_reload = \"0s\"", "config_reload = \"100ms\"");
    }
}
