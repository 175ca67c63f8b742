package dev.llmgateway.bench.load;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The mock upstream's https certificate for {@code --upstream-tls on}: a self-signed EC P-256 certificate for
 * localhost and 127.0.0.1 that the JDK's keytool makes for each run, and the proxies trust as their only CA (the
 * gateway as {@code ca_file}, nginx as {@code proxy_ssl_trusted_certificate}), so both verify what they connect to.
 */
final class UpstreamCertificate {
    private static final String PASSWORD = "bench-only";
    private static final String ALIAS = "upstream";

    private final Path keyStore;

    private UpstreamCertificate(Path keyStore) {
        this.keyStore = keyStore;
    }

    /** Made in {@code runDir} (where {@link #pemFile} finds it), with the keytool of the JDK running this. */
    static UpstreamCertificate make(Path runDir) throws IOException, InterruptedException {
        Path dir = Files.createDirectories(runDir.resolve("tls"));
        Path store = dir.resolve("upstream.p12");
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        keytool(keytool, "-genkeypair", "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD,
                "-keypass", PASSWORD, "-alias", ALIAS, "-keyalg", "EC", "-groupname", "secp256r1",
                "-sigalg", "SHA256withECDSA", "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1",
                "-validity", "7");
        keytool(keytool, "-exportcert", "-rfc", "-keystore", store.toString(), "-storepass", PASSWORD,
                "-alias", ALIAS, "-file", pemFile(runDir).toString());
        return new UpstreamCertificate(store);
    }

    /** The certificate as PEM: what the proxies trust. */
    static Path pemFile(Path runDir) {
        return runDir.resolve("tls").resolve("upstream.pem");
    }

    /**
     * A server context for the mock, on OpenSSL when it loads: the mock's TLS costs the same for every proxy. It
     * offers {@code h2} and {@code http/1.1} by ALPN; a client that asks for neither (nginx) gets HTTP/1.1.
     */
    SslContext serverContext() throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore)) {
            store.load(in, PASSWORD.toCharArray());
        }
        PrivateKey key = (PrivateKey) store.getKey(ALIAS, PASSWORD.toCharArray());
        X509Certificate certificate = (X509Certificate) store.getCertificate(ALIAS);
        return SslContextBuilder.forServer(key, List.of(certificate))
                .sslProvider(OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK)
                .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                        ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1))
                .build();
    }

    private static void keytool(Path keytool, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(keytool.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException("keytool " + args[0] + " failed: " + output.trim());
        }
    }
}
