package dev.llmgateway.accesslog;

import dev.llmgateway.config.ConfigLoader;
import dev.llmgateway.testutil.FakeUpstream;
import dev.llmgateway.testutil.GatewayHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The body capture of a real gateway (named for the build's AccessLog* test filter): no configured secret reaches
 * {@code capture.jsonl}, whatever its shape and wherever a client or a provider writes it — the gateway keys, a
 * provider key of a shape no pattern knows, a virtual key's credential, and the keys a reload brings in.
 */
class AccessLogCaptureSecretsTest {
    private static final String FIRST_KEY = "team-alpha.9f8e7d6c5b4a39281706";
    private static final String RELOADED_KEY = "team-beta.1a2b3c4d5e6f70819293";
    private static final String PROVIDER_KEY = "local-llm-passphrase-42-zebra";
    private static final String VIRTUAL_CREDENTIAL = "tenant.credential.0042.fjord";

    @TempDir
    Path dir;

    private String config(Path capture, String gatewayKey, String upstream) {
        return """
                [server]
                host = "127.0.0.1"
                port = 0
                io_threads = 1

                [[api_keys]]
                name = "team"
                key = "%s"

                [[api_keys]]
                name = "tenant"
                key = "tenant-key-0123456789abcdef"
                [api_keys.provider_keys]
                up = "%s"

                [providers.up]
                type = "openai_compatible"
                base_url = "%s"
                api_keys = ["%s"]

                [routing]
                default_provider = "up"

                [capture]
                enabled = true
                file = "%s"
                """.formatted(gatewayKey, VIRTUAL_CREDENTIAL, upstream, PROVIDER_KEY,
                capture.toString().replace("\\", "/"));
    }

    @Test
    void noConfiguredSecretReachesTheCaptureBeforeOrAfterAReload() throws Exception {
        Path capture = dir.resolve("capture.jsonl");
        // A provider that quotes what it was sent, as an echoing error or a model repeating its prompt would.
        String answer = "{\"id\":\"c1\",\"model\":\"m\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
                + "\"content\":\"you wrote %s\",\"tool_calls\":[{\"id\":\"t1\",\"type\":\"function\",\"function\":"
                + "{\"name\":\"login\",\"arguments\":"
                + "\"{\\\"user\\\":\\\"ann\\\",\\\"password\\\":\\\"hunter2\\\"}\"}}]},"
                + "\"finish_reason\":\"stop\"}]}";
        try (FakeUpstream upstream = new FakeUpstream(reply -> reply.full(200, "OK", "application/json",
                answer.formatted(PROVIDER_KEY + " " + VIRTUAL_CREDENTIAL).getBytes(StandardCharsets.UTF_8)));
             GatewayHarness gateway = GatewayHarness.start(ConfigLoader.parse(
                     config(capture, FIRST_KEY, upstream.baseUrl()), "test.toml", Map.of()))) {
            send(gateway, FIRST_KEY, "my key is " + FIRST_KEY + ", x-api-key: " + RELOADED_KEY);

            gateway.server().apply(ConfigLoader.parse(config(capture, RELOADED_KEY, upstream.baseUrl()), "test.toml",
                    Map.of()));
            send(gateway, RELOADED_KEY, "keys: " + RELOADED_KEY + " and " + FIRST_KEY + " (" + PROVIDER_KEY + ")");
        }

        String written = Files.readString(capture);
        assertEquals(4, written.lines().count(), written);
        for (String secret : List.of(FIRST_KEY, RELOADED_KEY, PROVIDER_KEY, VIRTUAL_CREDENTIAL, "hunter2")) {
            assertFalse(written.contains(secret), secret + " in " + written);
        }
        assertTrue(written.contains("my key is <redacted>"), written);
    }

    private static void send(GatewayHarness gateway, String key, String text) throws Exception {
        HttpResponse<String> response = gateway.client().send(gateway.request("/v1/chat/completions")
                .header("authorization", "Bearer " + key)
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\",\"messages\":[{\"role\":\"user\","
                        + "\"content\":\"" + text + "\"}]}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
    }
}
