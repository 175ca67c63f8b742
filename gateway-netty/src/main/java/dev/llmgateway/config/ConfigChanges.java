package dev.llmgateway.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.StringJoiner;
import java.util.function.Function;

/**
 * What a reload changes between the running config and the next one. Settings bound to sockets, threads, open
 * files or the process (the listener, transport, TLS engine, event loops, metrics listener, access log, capture,
 * trace exporter) cannot change in a running process, nor can the Redis of {@code [shared]} that holds the limits:
 * {@link #applicable()} keeps their running values and {@link #needRestart()} names each one that differs.
 *
 * @param applicable  the next config with the restart-bound settings of the running one
 * @param needRestart the keys whose new value waits for a restart, e.g. {@code server.port}
 * @param summary     one line: providers, aliases and keys added (+), removed (-) and changed (~), other keys changed
 */
public record ConfigChanges(GatewayConfig applicable, List<String> needRestart, String summary) {
    private record Setting(String key, boolean restart, Function<GatewayConfig, Object> value) {
    }

    private static final List<Setting> SETTINGS = List.of(
            new Setting("server.host", true, c -> c.server().host()),
            new Setting("server.port", true, c -> c.server().port()),
            new Setting("server.transport", true, c -> c.server().transport()),
            new Setting("server.io_threads", true, c -> c.server().ioThreads()),
            new Setting("server.max_request_bytes", false, c -> c.server().maxRequestBytes()),
            new Setting("server.max_header_bytes", false, c -> c.server().maxHeaderBytes()),
            new Setting("server.max_initial_line_bytes", false, c -> c.server().maxInitialLineBytes()),
            new Setting("server.header_read_timeout", false, c -> c.server().headerReadTimeout()),
            new Setting("server.body_read_timeout", false, c -> c.server().bodyReadTimeout()),
            new Setting("server.idle_timeout", false, c -> c.server().idleTimeout()),
            new Setting("server.drain_timeout", false, c -> c.server().drainTimeout()),
            new Setting("server.max_connections", false, c -> c.server().maxConnections()),
            new Setting("server.config_reload", false, c -> c.server().configReload()),
            new Setting("server.warmup_requests", true, c -> c.server().warmupRequests()),
            new Setting("server.warmup_timeout", true, c -> c.server().warmupTimeout()),
            new Setting("server.lingering_time", false, c -> c.server().lingeringTime()),
            new Setting("server.lingering_timeout", false, c -> c.server().lingeringTimeout()),
            new Setting("server.max_lingering_bytes", false, c -> c.server().maxLingeringBytes()),
            new Setting("server.stalled_client_timeout", false, c -> c.server().stalledClientTimeout()),
            new Setting("server.tls_engine", true, c -> c.server().tlsEngine()),
            new Setting("server.tls", false, c -> c.server().tls()),
            new Setting("routing", false, GatewayConfig::routing),
            new Setting("metrics.enabled", true, c -> c.observability().metricsEnabled()),
            new Setting("metrics.port", true, c -> c.observability().metricsPort()),
            new Setting("metrics.require_key", true, c -> c.observability().metricsRequireKey()),
            new Setting("access_log.enabled", true, c -> c.observability().accessLogEnabled()),
            new Setting("access_log.sink", true, c -> c.observability().accessLogSink()),
            new Setting("access_log.format", true, c -> c.observability().accessLogFormat()),
            new Setting("access_log.queue_capacity", true, c -> c.observability().accessLogQueue()),
            new Setting("capture.enabled", true, c -> c.observability().captureEnabled()),
            new Setting("capture.file", true, c -> c.observability().captureFile()),
            new Setting("capture.max_bytes_per_entry", true, c -> c.observability().captureMaxBytes()),
            new Setting("tracing", true, c -> c.observability().tracing()),
            new Setting("shared", true, GatewayConfig::shared));

    public ConfigChanges {
        Objects.requireNonNull(applicable, "applicable");
        needRestart = List.copyOf(needRestart);
    }

    public static ConfigChanges between(GatewayConfig running, GatewayConfig next) {
        List<String> restart = new ArrayList<>();
        List<String> live = new ArrayList<>();
        for (Setting setting : SETTINGS) {
            if (!Objects.equals(setting.value.apply(running), setting.value.apply(next))) {
                (setting.restart ? restart : live).add(setting.key);
            }
        }
        ServerConfig now = running.server();
        ServerConfig wanted = next.server();
        ServerConfig server = new ServerConfig(now.host(), now.port(), now.transport(), now.ioThreads(),
                wanted.maxRequestBytes(), wanted.maxHeaderBytes(), wanted.maxInitialLineBytes(),
                wanted.headerReadTimeout(), wanted.bodyReadTimeout(), wanted.idleTimeout(), wanted.drainTimeout(),
                wanted.maxConnections(), wanted.configReload(), now.warmupRequests(), now.warmupTimeout(),
                wanted.lingeringTime(), wanted.lingeringTimeout(), wanted.maxLingeringBytes(),
                wanted.stalledClientTimeout(), now.tlsEngine(), wanted.tls());
        GatewayConfig applicable = new GatewayConfig(server, next.routing(), next.apiKeys(), next.providers(),
                next.models(), running.observability(), next.prices(), next.teams(), next.warnings(),
                running.shared());

        StringJoiner summary = new StringJoiner("; ");
        describe(summary, "providers", running.providers(), next.providers());
        describe(summary, "model aliases", running.models(), next.models());
        describe(summary, "api keys", byName(running.apiKeys()), byName(next.apiKeys()));
        if (!live.isEmpty()) {
            summary.add("changed: " + String.join(", ", live));
        }
        if (!restart.isEmpty()) {
            summary.add("needing a restart (running values kept): " + String.join(", ", restart));
        }
        return new ConfigChanges(applicable, restart, summary.length() == 0 ? "no changes" : summary.toString());
    }

    /** Adds {@code what: +added -removed ~changed} when anything differs, by name. */
    private static void describe(StringJoiner summary, String what, Map<String, ?> running, Map<String, ?> next) {
        StringJoiner names = new StringJoiner(" ");
        next.forEach((name, value) -> {
            if (!running.containsKey(name)) {
                names.add("+" + name);
            } else if (!running.get(name).equals(value)) {
                names.add("~" + name);
            }
        });
        running.keySet().stream().filter(name -> !next.containsKey(name)).forEach(name -> names.add("-" + name));
        if (names.length() > 0) {
            summary.add(what + " " + names);
        }
    }

    private static Map<String, ApiKeyConfig> byName(List<ApiKeyConfig> keys) {
        Map<String, ApiKeyConfig> byName = new LinkedHashMap<>();
        keys.forEach(key -> byName.put(key.name(), key));
        return byName;
    }
}
