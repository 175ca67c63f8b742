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

    /** nginx with one worker, in the foreground, everything it writes kept in {@code runDir}. */
    static ProxyProcess startNginx(Path nginx, Path runDir, int port, int upstreamPort, String cpus)
            throws IOException {
        Path dir = Files.createDirectories(runDir.resolve("nginx"));
        for (String temp : List.of("client_body", "proxy", "fastcgi", "uwsgi", "scgi")) {
            Files.createDirectories(dir.resolve(temp));
        }
        boolean root = "root".equals(System.getProperty("user.name"));
        String conf = """
                %sworker_processes 1;
                daemon off;
                pid %s/nginx.pid;
                error_log %s/error.log warn;
                events { worker_connections 8192; }
                http {
                  access_log off;
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
                    keepalive 64;
                    keepalive_requests 100000;
                  }
                  server {
                    listen 127.0.0.1:%d;
                    location / {
                      proxy_pass http://up;
                      proxy_http_version 1.1;
                      proxy_set_header Connection "";
                      proxy_buffering off;
                    }
                  }
                }
                """.formatted(root ? "user root;\n" : "", dir, dir, dir, dir, dir, dir, dir, upstreamPort, port);
        Path confFile = Files.writeString(dir.resolve("nginx.conf"), conf);
        // -e: without it nginx opens the packaged error log path before reading our config.
        return ProxyProcess.start("nginx", List.of(nginx.toString(), "-p", dir.toString(), "-e",
                dir.resolve("error.log").toString(), "-c", confFile.toString()), cpus, runDir);
    }

    /** The gateway jar with one event-loop thread (it gets one core), routing everything to the mock upstream. */
    static ProxyProcess startGateway(Path jar, List<String> javaOpts, Path runDir, int port, int upstreamPort,
                                     String cpus) throws IOException {
        if (!Files.isRegularFile(jar)) {
            throw new IOException("gateway jar not found: " + jar + " (build it: ./mvnw -B -q -pl gateway-netty "
                    + "-am package -DskipTests)");
        }
        String toml = """
                [server]
                host = "127.0.0.1"
                port = %d
                io_threads = 1

                [[api_keys]]
                name = "bench"
                key = "%s"

                [providers.up]
                type = "openai_compatible"
                base_url = "http://127.0.0.1:%d/v1"
                max_connections = 512

                [routing]
                default_provider = "up"

                # Like nginx's "access_log off" above: both proxies are measured without per-request logging.
                [access_log]
                enabled = false
                """.formatted(port, API_KEY, upstreamPort);
        Path config = Files.writeString(runDir.resolve("gateway.toml"), toml);
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(javaOpts);
        command.addAll(List.of("-jar", jar.toString(), "--config", config.toString()));
        return ProxyProcess.start("gateway", command, cpus, runDir);
    }
}
