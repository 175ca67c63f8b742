package dev.llmgateway.config;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static dev.llmgateway.config.ConfigLoaderTest.MINIMAL_KEY;
import static dev.llmgateway.config.ConfigLoaderTest.parse;
import static dev.llmgateway.config.ConfigLoaderTest.problems;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code [shared]}: absent is none, defaults, every value checked, the password never shown. */
class SharedSectionTest {
    @Test
    void noTableNoSharedState() throws ConfigException {
        assertNull(parse(MINIMAL_KEY, Map.of()).shared());
    }

    @Test
    void onlyTheUrlIsNeededAndTheRestDefaults() throws ConfigException {
        SharedConfig shared = parse(MINIMAL_KEY + """
                [shared]
                redis_url = "redis://redis:6379"
                """, Map.of()).shared();
        assertEquals(new SharedConfig(URI.create("redis://redis:6379"), "llm-gateway:", Duration.ofMillis(100),
                SharedConfig.OnUnavailable.LOCAL, Duration.ofSeconds(30)), shared);
        assertEquals(0, shared.database());
        assertFalse(shared.tls());
    }

    @Test
    void everySettingWithThePasswordFromTheEnvironment() throws ConfigException {
        SharedConfig shared = parse(MINIMAL_KEY + """
                [shared]
                redis_url = "rediss://gateway:${REDIS_PASSWORD}@redis.internal:6380/2"
                key_prefix = "prod:gw:"
                timeout = "50ms"
                on_unavailable = "deny"
                slot_lease = "1m"
                """, Map.of("REDIS_PASSWORD", "s3cret")).shared();
        assertEquals("rediss://gateway:s3cret@redis.internal:6380/2", shared.redisUrl().toString());
        assertTrue(shared.tls());
        assertEquals(6380, shared.port());
        assertEquals(2, shared.database());
        assertEquals("prod:gw:", shared.keyPrefix());
        assertEquals(Duration.ofMillis(50), shared.timeout());
        assertEquals(SharedConfig.OnUnavailable.DENY, shared.onUnavailable());
        assertEquals(Duration.ofMinutes(1), shared.slotLease());
        assertEquals("rediss://redis.internal:6380/2", shared.redisAddress());
        assertFalse(shared.toString().contains("s3cret"), shared.toString());
    }

    @Test
    void anOverrideAloneTurnsSharedStateOn() throws ConfigException {
        SharedConfig shared = parse(MINIMAL_KEY, Map.of("LLM_GATEWAY__SHARED__REDIS_URL", "redis://10.0.0.5:6379/1",
                "LLM_GATEWAY__SHARED__ON_UNAVAILABLE", "deny")).shared();
        assertEquals(URI.create("redis://10.0.0.5:6379/1"), shared.redisUrl());
        assertEquals(SharedConfig.OnUnavailable.DENY, shared.onUnavailable());
    }

    @Test
    void badValuesAreEachNamedAndThePasswordIsNeverShown() {
        List<String> problems = problems(MINIMAL_KEY + """
                [shared]
                redis_url = "http://:hunter2@redis:6379"
                key_prefix = "has space"
                timeout = "0s"
                on_unavailable = "maybe"
                slot_lease = "100ms"
                ttl = "1s"
                """, Map.of());
        assertEquals(List.of(
                "shared.redis_url: \"<redacted>\" (expected: " + SharedSection.URL_EXPECTED + ")",
                "shared.key_prefix: \"has space\" (expected: up to 100 characters A-Z a-z 0-9 _ . : / -)",
                "shared.timeout: \"0s\" (expected: a duration from 1ms to 60s)",
                "shared.on_unavailable: \"maybe\" (expected: one of local, deny)",
                "shared.slot_lease: \"100ms\" (expected: a duration from 1s to 1h)",
                "shared.ttl: unknown key (expected one of: redis_url, key_prefix, timeout, on_unavailable, "
                        + "slot_lease)"), problems);
        assertFalse(String.join("\n", problems).contains("hunter2"));
    }

    @Test
    void aMissingUrlOrAnUnsetPasswordVariableIsAProblem() {
        assertEquals(List.of("shared.redis_url: missing (expected: " + SharedSection.URL_EXPECTED + ")"),
                problems(MINIMAL_KEY + "[shared]\ntimeout = \"1s\"\n", Map.of()));
        assertEquals(List.of("shared.redis_url: \"<redacted>\" (expected: REDIS_PASSWORD to be set, or a default as "
                        + "in ${REDIS_PASSWORD:-value})"),
                problems(MINIMAL_KEY + "[shared]\nredis_url = \"redis://:${REDIS_PASSWORD}@redis\"\n", Map.of()));
    }

    @Test
    void aReloadKeepsTheRunningSharedStateAndNamesItAsWaitingForARestart() throws ConfigException {
        GatewayConfig running = parse(MINIMAL_KEY + "[shared]\nredis_url = \"redis://a\"\n", Map.of());
        ConfigChanges changes = ConfigChanges.between(running,
                parse(MINIMAL_KEY + "[shared]\nredis_url = \"redis://b\"\n", Map.of()));
        assertEquals(List.of("shared"), changes.needRestart());
        assertEquals(running.shared(), changes.applicable().shared());
        assertEquals(List.of("shared"), ConfigChanges.between(running, parse(MINIMAL_KEY, Map.of())).needRestart());
    }

    @Test
    void urlsThatNameNoRedisAreRefused() {
        for (String url : List.of("redis://", "redis://host:0", "redis://host/db", "redis://host/1?timeout=1",
                "redis://host:99999", "unix:///tmp/redis.sock")) {
            assertNull(SharedSection.parse(url), url);
        }
        for (String url : List.of("redis://host", "redis://host:6379/15", "rediss://u:p@host/", "redis://[::1]:6379")) {
            assertEquals(url, SharedSection.parse(url).toString());
        }
    }
}
