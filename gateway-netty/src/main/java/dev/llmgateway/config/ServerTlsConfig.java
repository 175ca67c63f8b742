package dev.llmgateway.config;

import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/**
 * {@code [server.tls]}: the listener speaks TLS with this certificate chain (leaf first) and key, read from the PEM
 * files {@code cert} and {@code key} when the config is loaded, so that a reload (SIGHUP after the files are renewed)
 * presents the new certificate to new connections.
 */
public record ServerTlsConfig(Path certFile, Path keyFile, List<X509Certificate> chain, PrivateKey key) {
    public ServerTlsConfig {
        Objects.requireNonNull(certFile, "certFile");
        Objects.requireNonNull(keyFile, "keyFile");
        Objects.requireNonNull(key, "key");
        chain = List.copyOf(chain);
    }

    /** Leaves the key out: a logged config must never show it. */
    @Override
    public String toString() {
        return "ServerTlsConfig[certFile=" + certFile + ", keyFile=" + keyFile + ", chain=" + chain.size()
                + " certificates, key=<" + key.getAlgorithm() + " redacted>]";
    }
}
