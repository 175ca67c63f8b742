package dev.llmgateway.server;

import dev.llmgateway.config.ConfigLoader;
import dev.llmgateway.config.ConfigReloader;
import dev.llmgateway.testutil.GatewayHarness;
import dev.llmgateway.testutil.JsonPath;
import dev.llmgateway.testutil.RawHttpClient;
import dev.llmgateway.testutil.TestCertificates;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The listener over TLS ({@code [server.tls]}): real clients (the JDK's HttpClient, curl, raw TLS sockets) trusting the
 * tests' CA, a reload that swaps the certificate for new connections, and files that fail the reload.
 */
@Timeout(60)
class DownstreamTlsTest {
    private static final String CHAT = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    @TempDir
    Path dir;
    private Path file;
    private GatewayHarness gateway;
    private ConfigReloader reloader;

    @AfterEach
    void stop() {
        if (reloader != null) {
            reloader.close();
        }
        if (gateway != null) {
            gateway.close();
        }
    }

    private static String config(String engine, Path cert, Path key) {
        return """
                [server]
                host = "127.0.0.1"
                port = 0
                io_threads = 1
                tls_engine = "%s"

                [server.tls]
                cert = "%s"
                key = "%s"

                """.formatted(engine, cert, key) + GatewayHarness.mockConfig("");
    }

    private void start(String engine, TestCertificates.Issued certificate) throws Exception {
        String text = config(engine, certificate.certFile(), certificate.keyFile());
        file = Files.writeString(dir.resolve("gateway.toml"), text);
        gateway = GatewayHarness.start(ConfigLoader.parse(text, file.toString(), Map.of()));
        reloader = new ConfigReloader(file, Map.of(), text, gateway.server(), applied -> { });
    }

    /** Rewrites the config with {@code cert} and {@code key} (kept at its port) and reloads it as SIGHUP does. */
    private boolean reloadWith(Path cert, Path key) throws Exception {
        Files.writeString(file, config("openssl", cert, key).replace("port = 0", "port = " + gateway.port()));
        return reloader.reload("test").get(10, TimeUnit.SECONDS);
    }

    @ParameterizedTest
    @ValueSource(strings = {"openssl", "jdk"})
    void aClientSpeaksHttpsToTheGatewayWithEitherEngine(String engine) throws Exception {
        start(engine, TestCertificates.localhost());
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .sslContext(TestCertificates.trustingCa()).connectTimeout(Duration.ofSeconds(5)).build();

        HttpResponse<String> chat = client.send(HttpRequest.newBuilder(
                        URI.create("https://127.0.0.1:" + gateway.port() + "/v1/chat/completions"))
                .timeout(Duration.ofSeconds(20))
                .header("authorization", "Bearer " + GatewayHarness.KEY)
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(CHAT)).build(), HttpResponse.BodyHandlers.ofString());

        assertEquals(200, chat.statusCode(), chat.body());
        assertEquals("assistant", JsonPath.read(chat.body(), "choices", "0", "message", "role"));
        assertTrue(chat.sslSession().isPresent(), "the answer came over TLS");
    }

    @Test
    void curlVerifiesTheGatewayAgainstTheCaBundleItIsGiven() throws Exception {
        start("openssl", TestCertificates.localhost());

        Process curl = new ProcessBuilder("curl", "-sS", "--max-time", "10", "--cacert",
                TestCertificates.ca().certFile().toString(), "-o", "/dev/null", "-w", "%{http_code} %{ssl_verify_result}",
                "https://127.0.0.1:" + gateway.port() + "/health").redirectErrorStream(true).start();
        assertTrue(curl.waitFor(20, TimeUnit.SECONDS));
        String output = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertEquals(0, curl.exitValue(), output);
        assertEquals("200 0", output.trim(), "answered, and the certificate verified");
    }

    @Test
    void aReloadPresentsTheNewCertificateToNewConnectionsWhileOpenOnesGoOn() throws Exception {
        start("openssl", TestCertificates.localhost());
        try (RawHttpClient before = new RawHttpClient(gateway.port(), TestCertificates.trustingCa())) {
            assertEquals(TestCertificates.localhost().certificate(), before.peerCertificate());

            assertTrue(reloadWith(TestCertificates.localhostAgain().certFile(),
                    TestCertificates.localhostAgain().keyFile()));

            try (RawHttpClient after = new RawHttpClient(gateway.port(), TestCertificates.trustingCa())) {
                assertEquals(TestCertificates.localhostAgain().certificate(), after.peerCertificate());
                assertEquals(200, after.send("GET /health HTTP/1.1\r\nHost: gateway\r\n\r\n").read().status());
            }
            assertEquals(200, before.send("GET /health HTTP/1.1\r\nHost: gateway\r\n\r\n").read().status(),
                    "the connection made before the reload keeps its session");
        }
    }

    @Test
    void aCertificateOrKeyTheGatewayCannotUseFailsTheReloadByItsKeyAndTheRunningOneServes() throws Exception {
        start("openssl", TestCertificates.localhost());
        try (WarningRecorder log = WarningRecorder.on(ConfigReloader.class.getName())) {
            assertFalse(reloadWith(dir.resolve("absent.crt"), TestCertificates.localhostAgain().keyFile()));
            assertFalse(reloadWith(TestCertificates.localhostAgain().certFile(),
                    TestCertificates.localhost().keyFile()));

            List<String> messages = log.messages();
            assertTrue(messages.stream().anyMatch(m -> m.contains("server.tls.cert: ")
                    && m.contains("absent.crt") && m.contains("NoSuchFileException")), messages.toString());
            assertTrue(messages.stream().anyMatch(m -> m.contains("server.tls.key: ")
                    && m.contains("the private key of the first certificate")), messages.toString());
        }
        try (RawHttpClient client = new RawHttpClient(gateway.port(), TestCertificates.trustingCa())) {
            assertEquals(TestCertificates.localhost().certificate(), client.peerCertificate());
        }
    }

    @Test
    void plainTextOnTheTlsListenerIsClosedWithoutAWarning() throws Exception {
        start("openssl", TestCertificates.localhost());
        try (WarningRecorder log = WarningRecorder.on(ConnectionErrorHandler.class.getName());
             RawHttpClient plain = new RawHttpClient(gateway.port())) {
            plain.send("GET /health HTTP/1.1\r\nHost: gateway\r\n\r\n");

            assertTrue(plain.closedByServer());
            assertEquals(List.of(), log.messages(), "a client's mistake is not the gateway's warning");
        }
    }
}
