package dev.llmgateway.config;

import dev.llmgateway.testutil.TestCertificates;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The TLS settings: read when the config loads, and a file the gateway cannot use is reported by its key. */
class TlsSettingsConfigTest {
    private static GatewayConfig parse(String toml) throws ConfigException {
        return ConfigLoader.parse(toml + "\n[[api_keys]]\nname = \"k\"\nkey = \"test-key-0123456789\"\n", "test.toml",
                Map.of());
    }

    private static String provider(String baseUrl, String lines) {
        return """
                [providers.up]
                type = "openai_compatible"
                base_url = "%s"
                %s
                """.formatted(baseUrl, lines);
    }

    private static List<String> problems(String toml) {
        return assertThrows(ConfigException.class, () -> parse(toml)).problems();
    }

    @Test
    void aCaBundleIsReadWithItsCommentsAndEveryCertificateInIt(@TempDir Path dir) throws Exception {
        Path bundle = Files.writeString(dir.resolve("bundle.pem"), "# the test CA\n"
                + Files.readString(TestCertificates.ca().certFile()) + "\n# another\n"
                + Files.readString(TestCertificates.otherCa().certFile()));

        GatewayConfig config = parse(provider("https://127.0.0.1:8443/v1", "ca_file = \"" + bundle + "\""));

        assertEquals(List.of(TestCertificates.ca().certificate(), TestCertificates.otherCa().certificate()),
                config.providers().get("up").caCertificates());
    }

    @Test
    void withoutCaFileTheJvmTrustStoreServesAndTheEngineIsChosenAutomatically() throws Exception {
        GatewayConfig config = parse(provider("https://127.0.0.1:8443/v1", ""));

        assertEquals(List.of(), config.providers().get("up").caCertificates());
        assertEquals(TlsEngine.AUTO, config.server().tlsEngine());
        assertEquals(TlsEngine.JDK, parse("[server]\ntls_engine = \"jdk\"\n" + provider("https://h/v1", ""))
                .server().tlsEngine());
    }

    @Test
    void aCaFileTheGatewayCannotUseIsReportedByItsKey(@TempDir Path dir) throws Exception {
        Path notPem = Files.writeString(dir.resolve("not.pem"), "just text\n");

        List<String> missing = problems(provider("https://h/v1", "ca_file = \"" + dir.resolve("absent.pem") + "\""));
        List<String> empty = problems(provider("https://h/v1", "ca_file = \"" + notPem + "\""));
        List<String> plain = problems(provider("http://h/v1", "ca_file = \""
                + TestCertificates.ca().certFile() + "\""));
        List<String> engine = problems("[server]\ntls_engine = \"boring\"\n" + provider("https://h/v1", ""));

        assertEquals(1, missing.size(), missing.toString());
        assertTrue(missing.get(0).startsWith("providers.up.ca_file: ") && missing.get(0).contains("absent.pem")
                && missing.get(0).contains("NoSuchFileException"), missing.toString());
        assertTrue(empty.get(0).startsWith("providers.up.ca_file: ") && empty.get(0).contains("no PEM certificate"),
                empty.toString());
        assertTrue(plain.get(0).startsWith("providers.up.ca_file: ") && plain.get(0).contains("http base_url"),
                plain.toString());
        assertEquals(List.of("server.tls_engine: \"boring\" (expected: one of auto, openssl, jdk)"), engine);
    }

    @Test
    void theListenersCertificateAndKeyAreReadAndMustBelongTogether(@TempDir Path dir) throws Exception {
        TestCertificates.Issued localhost = TestCertificates.localhost();
        Path pkcs1 = Files.writeString(dir.resolve("rsa.key"),
                "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----\n");

        ServerTlsConfig tls = parse(serverTls(localhost.certFile(), localhost.keyFile())).server().tls();
        List<String> mismatched = problems(serverTls(localhost.certFile(), TestCertificates.wrongHost().keyFile()));
        List<String> otherForm = problems(serverTls(localhost.certFile(), pkcs1));
        List<String> missing = problems("[server.tls]\ncert = \"" + localhost.certFile() + "\"\nchain = 1\n");

        assertEquals(List.of(localhost.certificate()), tls.chain());
        assertEquals(localhost.key(), tls.key());
        assertTrue(!tls.toString().contains(localhost.key().toString()), "the key is never shown");
        assertEquals(1, mismatched.size(), mismatched.toString());
        assertTrue(mismatched.get(0).startsWith("server.tls.key: ")
                && mismatched.get(0).contains("the private key of the first certificate"), mismatched.toString());
        assertTrue(otherForm.get(0).startsWith("server.tls.key: ") && otherForm.get(0).contains("openssl pkcs8"),
                otherForm.toString());
        assertEquals(List.of("server.tls.key: missing (expected: the path of a PEM file: the certificate's unencrypted"
                + " PKCS#8 private key)", "server.tls.chain: unknown key (expected one of: cert, key)"), missing);
        assertEquals(null, parse("").server().tls(), "no [server.tls]: plain HTTP");
    }

    private static String serverTls(Path cert, Path key) {
        return "[server.tls]\ncert = \"" + cert + "\"\nkey = \"" + key + "\"\n";
    }
}
