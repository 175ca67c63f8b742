package dev.llmgateway.config;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What a reload reports and applies: restart-bound settings keep their running values. */
class ConfigChangesTest {
    private static final String BASE = """
            [server]
            port = 8080
            idle_timeout = "75s"
            [metrics]
            require_key = false
            [[api_keys]]
            name = "app"
            key = "k-app-0123456789abcdef"
            [[api_keys]]
            name = "old"
            key = "k-old-0123456789abcdef"
            [providers.mock]
            type = "mock"
            [providers.gone]
            type = "mock"
            [models.m]
            provider = "mock"
            [models.x]
            provider = "gone"
            """;

    private static GatewayConfig parse(String toml) throws ConfigException {
        return ConfigLoader.parse(toml, "test.toml", Map.of());
    }

    @Test
    void nothingChanged() throws ConfigException {
        ConfigChanges changes = ConfigChanges.between(parse(BASE), parse(BASE));
        assertEquals("no changes", changes.summary());
        assertEquals(List.of(), changes.needRestart());
    }

    @Test
    void namesWhatChangedAndKeepsWhatNeedsARestart() throws ConfigException {
        GatewayConfig running = parse(BASE);
        GatewayConfig next = parse(BASE
                .replace("port = 8080", "port = 9090")
                .replace("idle_timeout = \"75s\"", "idle_timeout = \"5s\"")
                .replace("require_key = false", "require_key = true")
                .replace("key = \"k-app-0123456789abcdef\"", "key = \"k-app-2-0123456789abcdef\"")
                .replace("[[api_keys]]\nname = \"old\"\nkey = \"k-old-0123456789abcdef\"\n", "")
                .replace("[providers.gone]\ntype = \"mock\"\n", "[providers.new]\ntype = \"mock\"\ntokens = 3\n")
                .replace("provider = \"gone\"", "provider = \"new\"")
                + "[models.y]\nprovider = \"new\"\n");

        ConfigChanges changes = ConfigChanges.between(running, next);

        assertEquals("providers +new -gone; model aliases ~x +y; api keys ~app -old; changed: server.idle_timeout;"
                + " needing a restart (running values kept): server.port, metrics.require_key", changes.summary());
        assertEquals(List.of("server.port", "metrics.require_key"), changes.needRestart());
        assertEquals(8080, changes.applicable().server().port());
        assertEquals(false, changes.applicable().observability().metricsRequireKey());
        assertEquals(5, changes.applicable().server().idleTimeout().toSeconds());
        assertEquals(next.providers(), changes.applicable().providers());
        assertEquals(next.apiKeys(), changes.applicable().apiKeys());
    }
}
