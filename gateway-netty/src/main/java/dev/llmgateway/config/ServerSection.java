package dev.llmgateway.config;

import java.io.IOException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;

/** Reads {@code [server]}; every setting has a default, so the table may be absent. */
final class ServerSection {
    private static final long MIB = 1L << 20;
    private static final Duration MIN_RELOAD_CHECK = Duration.ofMillis(100);
    private static final Duration MAX_RELOAD_CHECK = Duration.ofHours(1);
    static final int DEFAULT_WARMUP_REQUESTS = 3000;
    private static final Duration MAX_WARMUP = Duration.ofMinutes(5);

    private ServerSection() {
    }

    static ServerConfig read(ConfigTable t) {
        String host = t.string("host", "0.0.0.0", "a host name or IP address");
        if (host != null && host.isBlank()) {
            t.problem("host", "a host name or IP address");
        }
        ServerConfig server = new ServerConfig(
                host == null ? "" : host,
                (int) t.integer("port", 8080, 0, 65535, "an integer from 0 to 65535"),
                orDefault(t.choice("transport", Transport.AUTO, Transport.values())),
                (int) t.integer("io_threads", 0, 0, Integer.MAX_VALUE, "an integer >= 0 (0: one per core)"),
                t.byteSize("max_request_bytes", 10 * MIB, 1024, Long.MAX_VALUE),
                (int) t.byteSize("max_header_bytes", 16384, 1024, MIB),
                (int) t.byteSize("max_initial_line_bytes", 8192, 1024, MIB),
                t.duration("header_read_timeout", Duration.ofSeconds(10)),
                t.duration("body_read_timeout", Duration.ofSeconds(60)),
                t.duration("idle_timeout", Duration.ofSeconds(75)),
                t.duration("drain_timeout", Duration.ofSeconds(30)),
                (int) t.integer("max_connections", 10_000, 1, Integer.MAX_VALUE, "an integer >= 1"),
                configReload(t),
                (int) t.integer("warmup_requests", DEFAULT_WARMUP_REQUESTS, 0, 1_000_000,
                        "an integer from 0 (no warm-up) to 1000000"),
                warmupTimeout(t),
                t.duration("lingering_time", Duration.ofSeconds(30)),
                lingeringTimeout(t),
                t.byteSize("max_lingering_bytes", 64 * MIB, 0, Long.MAX_VALUE),
                t.duration("stalled_client_timeout", Duration.ofSeconds(60)),
                orDefault(t.choice("tls_engine", TlsEngine.AUTO, TlsEngine.values())),
                readTls(t));
        t.reportUnknownKeys();
        return server;
    }

    /** {@code [server.tls]}, its files read and checked now; null when absent (the listener speaks plain HTTP). */
    private static ServerTlsConfig readTls(ConfigTable server) {
        boolean configured = server.has("tls");
        ConfigTable t = server.tableOrEmpty("tls");
        if (!configured) {
            return null;
        }
        String cert = t.requiredString("cert",
                "the path of a PEM file: the server's certificate, then its intermediates");
        String key = t.requiredString("key",
                "the path of a PEM file: the certificate's unencrypted PKCS#8 private key");
        t.reportUnknownKeys();
        if (cert == null || key == null) {
            return null;
        }
        List<X509Certificate> chain;
        PrivateKey privateKey;
        try {
            chain = PemFiles.certificates(Path.of(cert));
        } catch (IOException | GeneralSecurityException | InvalidPathException e) {
            t.problem("cert", "a readable PEM file of the server's certificate chain (" + PemFiles.why(e) + ")");
            return null;
        }
        try {
            privateKey = PemFiles.privateKey(Path.of(key));
            if (!PemFiles.belongTogether(privateKey, chain.get(0))) {
                t.problem("key", "the private key of the first certificate in " + cert);
                return null;
            }
        } catch (IOException | GeneralSecurityException | InvalidPathException e) {
            t.problem("key", "a readable PEM file of an unencrypted PKCS#8 private key (" + PemFiles.why(e) + ")");
            return null;
        }
        return new ServerTlsConfig(Path.of(cert), Path.of(key), chain, privateKey);
    }

    private static Duration configReload(ConfigTable t) {
        Duration every = t.duration("config_reload", Duration.ofSeconds(2));
        if (!every.isZero() && (every.compareTo(MIN_RELOAD_CHECK) < 0 || every.compareTo(MAX_RELOAD_CHECK) > 0)) {
            t.problem("config_reload", "\"0s\" (off) or a duration from 100ms to 1h");
        }
        return every;
    }

    private static Duration warmupTimeout(ConfigTable t) {
        Duration timeout = t.duration("warmup_timeout", Duration.ofSeconds(10));
        if (timeout.isZero() || timeout.compareTo(MAX_WARMUP) > 0) {
            t.problem("warmup_timeout", "a duration from 1ms to 5m");
        }
        return timeout;
    }

    private static Duration lingeringTimeout(ConfigTable t) {
        Duration timeout = t.duration("lingering_timeout", Duration.ofSeconds(5));
        if (timeout.isZero()) {
            t.problem("lingering_timeout", "a duration of 1ms or more");
        }
        return timeout;
    }

    // A bad transport was reported; any value keeps the record constructible until the load fails.
    private static Transport orDefault(Transport transport) {
        return transport == null ? Transport.AUTO : transport;
    }

    private static TlsEngine orDefault(TlsEngine engine) {
        return engine == null ? TlsEngine.AUTO : engine;
    }
}
