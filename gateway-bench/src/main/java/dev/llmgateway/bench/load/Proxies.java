package dev.llmgateway.bench.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** How each proxy under test is configured and started: same upstream, same keep-alive, one worker/thread. */
final class Proxies {
    static final String API_KEY = "bench-key-0123456789";
    /**
     * The bench key's limits in the gateway-limits and gateway-shared targets: far above what a run sends, so nothing
     * is refused, but every one is counted (both windows, a slot, the budget) as a limited key's requests are.
     */
    static final String KEY_LIMITS = """
            requests_per_minute = 1000000000
            tokens_per_minute = 1000000000
            max_concurrent = 100000
            token_budget = 8000000000000
            """;
    /** The gateway's {@code server.max_connections} when the config does not set it. */
    private static final int DEFAULT_MAX_CONNECTIONS = 10_000;

    private Proxies() {
    }

    /** An executable on PATH, or in the sbin dirs a non-root PATH may lack (where Debian puts nginx). */
    static Optional<Path> findOnPath(String program) {
        for (String dir : (System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/usr/local/sbin").split(":")) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, program);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /**
     * nginx with one worker, in the foreground, everything it writes kept in {@code runDir}. Sized like the gateway
     * below: room for every client connection and one upstream connection each, all of them kept alive. With h2c
     * load it listens with {@code http2} (nginx 1.22: h2c by prior knowledge only on that port); to the upstream it
     * speaks HTTP/1.1 whatever the load speaks, as {@code proxy_pass} has no HTTP/2.
     */
    static ProxyProcess startNginx(Path nginx, HarnessOptions options, Path runDir, int port, int upstreamPort,
                                   String cpus) throws IOException {
        Path dir = Files.createDirectories(runDir.resolve("nginx"));
        for (String temp : List.of("client_body", "proxy", "fastcgi", "uwsgi", "scgi")) {
            Files.createDirectories(dir.resolve(temp));
        }
        boolean root = "root".equals(System.getProperty("user.name"));
        int workerConnections = Math.max(8192, 2 * options.connections() + 128);
        // Like the gateway's default access log: a JSON line per request to stdout (which is nginx.log here),
        // written unbuffered as nginx does by default.
        String accessLog = options.accessLog() ? """
                log_format bench escape=json '{"time":"$time_iso8601","request_id":"$request_id",'
                    '"client":"$remote_addr","method":"$request_method","path":"$uri","status":$status,'
                    '"request_time":$request_time,"upstream_response_time":"$upstream_response_time",'
                    '"upstream_addr":"$upstream_addr","request_length":$request_length,"bytes_sent":$bytes_sent}';
                  access_log /dev/stdout bench;""" : "access_log off;";
        String conf = """
                %sworker_processes 1;
                worker_rlimit_nofile %d;
                daemon off;
                pid %s/nginx.pid;
                error_log %s/error.log warn;
                events { worker_connections %d; }
                http {
                  %s
                  client_body_temp_path %s/client_body;
                  proxy_temp_path %s/proxy;
                  fastcgi_temp_path %s/fastcgi;
                  uwsgi_temp_path %s/uwsgi;
                  scgi_temp_path %s/scgi;
                  keepalive_requests 100000;
                  keepalive_timeout 75s;
                  client_max_body_size 16m;
                  upstream up {
                    server 127.0.0.1:%d;
                    keepalive %d;
                    keepalive_requests 100000;
                  }
                  server {
                    listen 127.0.0.1:%d backlog=4096%s;
                    location / {
                      proxy_pass %s://up;
                      proxy_http_version 1.1;
                      proxy_set_header Connection "";
                      proxy_buffering off;%s
                    }
                  }
                }
                """.formatted(root ? "user root;\n" : "", workerConnections, dir, dir, workerConnections, accessLog,
                dir, dir, dir, dir, dir, upstreamPort, upstreamConnections(options), port,
                options.clientHttp2() ? " http2" : "", options.upstreamTls() ? "https" : "http", options.upstreamTls() ? nginxUpstreamTls(runDir) : "");
        Path confFile = Files.writeString(dir.resolve("nginx.conf"), conf);
        // -e: without it nginx opens the packaged error log path before reading our config.
        return ProxyProcess.start("nginx", List.of(nginx.toString(), "-p", dir.toString(), "-e",
                dir.resolve("error.log").toString(), "-c", confFile.toString()), cpus, runDir);
    }

    /**
     * nginx's side of {@code --upstream-tls on}, verifying as the gateway does: the run's certificate as the only
     * trusted one, its name checked (localhost: nginx matches DNS names only), sessions resumed on new connections.
     * The mock takes the client's first TLS 1.3 suite: OpenSSL offers AES-256-GCM first, BoringSSL (the gateway)
     * AES-128-GCM, so nginx is held to AES-128-GCM too and both pay for the same cipher.
     */
    private static String nginxUpstreamTls(Path runDir) {
        return """

                      proxy_ssl_session_reuse on;
                      proxy_ssl_verify on;
                      proxy_ssl_trusted_certificate %s;
                      proxy_ssl_name localhost;
                      proxy_ssl_protocols TLSv1.2 TLSv1.3;
                      proxy_ssl_conf_command Ciphersuites TLS_AES_128_GCM_SHA256;"""
                .formatted(UpstreamCertificate.pemFile(runDir));
    }

    /**
     * The gateway jar, as process {@code name}, with one event-loop thread (it gets one core), routing everything to
     * the mock upstream: as an OpenAI-compatible provider, or, {@code translated}, as an Anthropic one the gateway
     * translates from. The
     * config is the default but for what the workload needs: connection limits that fit it, the access log
     * only when {@code --access-log off}, and {@code http = "2"} to the provider for {@code gateway-up-h2} or
     * {@code --upstream-http 2}, else {@code http = "1.1"}.
     */
    static ProxyProcess startGateway(String name, boolean translated, HarnessOptions options, Path runDir, int port,
                                     int upstreamPort, String cpus) throws IOException {
        return startGateway(name, translated, "", "", options, runDir, port, upstreamPort, cpus);
    }

    /**
     * As above, with {@code keyLines} added to the bench key ({@link #KEY_LIMITS}) and {@code tables} to the config
     * (a {@code [shared]} table: {@link #sharedTable}).
     */
    static ProxyProcess startGateway(String name, boolean translated, String keyLines, String tables,
                                     HarnessOptions options, Path runDir, int port, int upstreamPort, String cpus)
            throws IOException {
        Path jar = options.gatewayJar();
        if (!Files.isRegularFile(jar)) {
            throw new IOException("gateway jar not found: " + jar + " (build it: ./mvnw -B -q -pl gateway-netty "
                    + "-am package -DskipTests)");
        }
        // The probe's connection comes on top of the load's.
        int clientConnections = options.connections() + 16;
        String provider = translated ? "type = \"anthropic\"\napi_key = \"bench-upstream-key\""
                : "type = \"openai_compatible\"";
        String toml = """
                [server]
                host = "127.0.0.1"
                port = %d
                io_threads = 1
                %s
                [[api_keys]]
                name = "bench"
                key = "%s"
                %s
                [providers.up]
                %s
                base_url = "%s://127.0.0.1:%d/v1"
                %s%smax_connections = %d

                [routing]
                default_provider = "up"
                %s%s""".formatted(port,
                clientConnections > DEFAULT_MAX_CONNECTIONS ? "max_connections = " + clientConnections + "\n" : "",
                API_KEY, keyLines, provider, options.upstreamTls() ? "https" : "http", upstreamPort,
                options.upstreamTls() ? "ca_file = \"" + UpstreamCertificate.pemFile(runDir) + "\"\n" : "",
                // Said either way: at the default "auto" an https provider that offers h2 by ALPN (the mock does)
                // gets HTTP/2, and an HTTP/1.1 row would not be one.
                options.upstreamProtocol(name).startsWith("HTTP/2") ? "http = \"2\"\n" : "http = \"1.1\"\n",
                upstreamConnections(options),
                options.accessLog() ? "\n# [access_log] at its default: a JSON line per request to stdout.\n"
                        : "\n[access_log]\nenabled = false\n", tables);
        Path config = Files.writeString(runDir.resolve(name + ".toml"), toml);
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(options.gatewayJavaOpts());
        command.addAll(List.of("-jar", jar.toString(), "--config", config.toString()));
        return ProxyProcess.start(name, command, cpus, runDir);
    }

    /** {@code [tracing]} on, every request traced (100 % sampling), its spans exported to {@code endpoint}. */
    static String tracingTable(String endpoint) {
        return "\n[tracing]\nenabled = true\nendpoint = \"" + endpoint + "\"\n";
    }

    /** {@code [shared]} at the redis-server on {@code redisPort}, everything else at its default. */
    static String sharedTable(int redisPort) {
        return "\n[shared]\nredis_url = \"redis://127.0.0.1:" + redisPort + "/0\"\n";
    }

    /**
     * Debian's redis-server, not persisting, on {@code cpus} (the load generator's: it stands for a Redis on another
     * host, not for work of the proxy's).
     */
    static ProxyProcess startRedis(Path runDir, int port, String cpus) throws IOException {
        Path redis = findOnPath("redis-server").orElseThrow(() -> new IOException(
                "redis-server is not installed (apt-get install -y redis-server): no gateway-shared column"));
        Path dir = Files.createDirectories(runDir.resolve("redis"));
        return ProxyProcess.start("redis", List.of(redis.toString(), "--port", Integer.toString(port), "--bind",
                "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir.toString()), cpus, runDir);
    }

    /** Kept-alive upstream connections: one per client connection, so no request waits for one or opens one. */
    private static int upstreamConnections(HarnessOptions options) {
        return Math.max(512, options.connections());
    }
}
