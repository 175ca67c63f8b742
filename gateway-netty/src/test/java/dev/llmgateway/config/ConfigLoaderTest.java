package dev.llmgateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    static final String FULL = """
            [server]
            host = "127.0.0.1"
            port = 9090
            transport = "nio"
            io_threads = 4
            max_request_bytes = "2MiB"
            max_header_bytes = 32768
            max_initial_line_bytes = "4KiB"
            header_read_timeout = "5s"
            body_read_timeout = "1m30s"
            idle_timeout = "750ms"
            drain_timeout = "1h"
            max_connections = 500
            config_reload = "500ms"
            warmup_requests = 200
            warmup_timeout = "3s"
            lingering_time = "10s"
            lingering_timeout = "2s"
            max_lingering_bytes = "8MiB"
            stalled_client_timeout = "2m"

            [routing]
            default_provider = "mock"
            [[routing.rules]]
            match = "gpt-*"
            provider = "openai"
            [[routing.rules]]
            match = "llama*"
            provider = "local"

            [[api_keys]]
            name = "demo"
            key = "${GATEWAY_DEMO_KEY:-demo-key-not-secret}"
            [[api_keys]]
            name = "team.a"
            key = "team-a-secret-0123456789"
            models = ["gpt-*", "llama*"]
            [[api_keys]]
            name = "old"
            key = "old-secret-0123456789"
            enabled = false

            [providers.openai]
            type = "openai"
            api_keys = ["${OPENAI_API_KEY}", "sk-second"]
            max_connections = 64
            connect_timeout = "2s"
            pool_idle_timeout = "30s"

            [providers.local]
            type = "openai_compatible"
            base_url = "http://localhost:11434/v1"

            [providers.mock]
            type = "mock"
            tokens = 5
            token_delay = "0ms"

            [models."gpt-4o"]
            provider = "openai"
            api_model = "gpt-4o-2024-08-06"
            [models.llama3]
            provider = "local"
            """;

    static final String MINIMAL_KEY = """
            [[api_keys]]
            name = "demo"
            key = "key-0123456789abcdef"
            """;

    @Test
    void keyLimitsAndProviderKeys() throws ConfigException {
        GatewayConfig config = parse("""
                [[api_keys]]
                name = "team-a"
                key = "key-0123456789abcdef"
                requests_per_minute = 60
                tokens_per_minute = 1000
                max_concurrent = 4
                token_budget = 50000
                budget_period = "month"
                provider_keys = { openai = "${TEAM_A}" }
                [providers.openai]
                type = "openai"
                api_key = "sk-x"
                """, Map.of("TEAM_A", "sk-team-a"));
        assertEquals(List.of(new ApiKeyConfig("team-a", "key-0123456789abcdef", List.of("*"),
                new KeyLimits(60, 1000, 4, 50000, KeyLimits.BudgetPeriod.MONTH), Map.of("openai", "sk-team-a"))),
                config.apiKeys());
        assertFalse(config.apiKeys().toString().contains("sk-team-a"));
    }

    @Test
    void badKeyLimits() {
        assertEquals(List.of(
                "api_keys[0].requests_per_minute: -1 (expected: a whole number, 0 (unlimited) or more)",
                "api_keys[0].budget_period: \"week\" (expected: \"day\" or \"month\" (UTC calendar), or a rolling window such as \"24h\" or \"168h\", at least 1m)",
                "api_keys[0].provider_keys.nope: unknown provider (expected: the name of a configured provider: mock)"),
                problems("""
                        [[api_keys]]
                        name = "a"
                        key = "key-0123456789abcdef"
                        requests_per_minute = -1
                        budget_period = "week"
                        provider_keys = { nope = "sk-secret" }
                        [providers.mock]
                        type = "mock"
                        """, Map.of()));
    }

    static GatewayConfig parse(String toml, Map<String, String> env) throws ConfigException {
        return ConfigLoader.parse(toml, "test.toml", env);
    }

    static List<String> problems(String toml, Map<String, String> env) {
        return assertThrows(ConfigException.class, () -> parse(toml, env)).problems();
    }

    @Test
    void fullExampleParsesToExpectedRecords() throws ConfigException {
        GatewayConfig config = parse(FULL, Map.of("OPENAI_API_KEY", "sk-first"));

        assertEquals(new ServerConfig("127.0.0.1", 9090, Transport.NIO, 4, 2L << 20, 32768, 4096,
                Duration.ofSeconds(5), Duration.ofSeconds(90), Duration.ofMillis(750), Duration.ofHours(1),
                500, Duration.ofMillis(500), 200, Duration.ofSeconds(3), Duration.ofSeconds(10),
                Duration.ofSeconds(2), 8L << 20, Duration.ofMinutes(2), TlsEngine.AUTO, null),
                config.server());
        assertEquals(new RoutingConfig("mock", List.of(new RouteRule("gpt-*", "openai"),
                new RouteRule("llama*", "local"))), config.routing());
        assertEquals(List.of(new ApiKeyConfig("demo", "demo-key-not-secret", List.of("*")),
                new ApiKeyConfig("team.a", "team-a-secret-0123456789", List.of("gpt-*", "llama*"))), config.apiKeys());
        assertEquals(List.of("openai", "local", "mock"), List.copyOf(config.providers().keySet()));
        assertEquals(new ProviderConfig("openai", ProviderType.OPENAI, URI.create("https://api.openai.com/v1"),
                List.of("sk-first", "sk-second"), 64, Duration.ofSeconds(2), Duration.ofSeconds(30),
                UpstreamPolicy.DEFAULT, Duration.ofSeconds(30), Duration.ofMinutes(5), null),
                config.providers().get("openai"));
        assertEquals(new ProviderConfig("local", ProviderType.OPENAI_COMPATIBLE,
                URI.create("http://localhost:11434/v1"), List.of(), 256, Duration.ofSeconds(5),
                Duration.ofSeconds(60), UpstreamPolicy.DEFAULT, Duration.ofSeconds(30), Duration.ofMinutes(5), null),
                config.providers().get("local"));
        assertEquals(new ProviderConfig("mock", ProviderType.MOCK, null, List.of(), 256, Duration.ofSeconds(5),
                Duration.ofSeconds(60), UpstreamPolicy.DEFAULT, Duration.ofSeconds(30), Duration.ofMinutes(5),
                new MockOptions(5, Duration.ZERO)), config.providers().get("mock"));
        assertEquals(List.of("gpt-4o", "llama3"), List.copyOf(config.models().keySet()));
        assertEquals(new ModelConfig("gpt-4o", "openai", "gpt-4o-2024-08-06", UpstreamPolicy.DEFAULT),
                config.models().get("gpt-4o"));
        assertEquals(new ModelConfig("llama3", "local", "llama3", UpstreamPolicy.DEFAULT),
                config.models().get("llama3"));
        assertEquals(List.of(), config.warnings());
    }

    @Test
    void resultIsImmutable() throws ConfigException {
        GatewayConfig config = parse(FULL, Map.of("OPENAI_API_KEY", "sk-first"));
        assertThrows(UnsupportedOperationException.class, () -> config.providers().remove("mock"));
        assertThrows(UnsupportedOperationException.class, () -> config.models().clear());
        assertThrows(UnsupportedOperationException.class, () -> config.apiKeys().clear());
        assertThrows(UnsupportedOperationException.class, () -> config.routing().rules().clear());
        assertThrows(UnsupportedOperationException.class, () -> config.providers().get("openai").apiKeys().clear());
    }

    @Test
    void everySettingHasItsDefault() throws ConfigException {
        GatewayConfig config = parse(MINIMAL_KEY + """
                [providers.openai]
                type = "openai"
                api_key = "sk-x"
                [providers.vllm]
                type = "openai_compatible"
                base_url = "https://vllm.internal:8000/v1"
                [providers.mock]
                type = "mock"
                [models.m]
                provider = "mock"
                """, Map.of());

        assertEquals(new ServerConfig("0.0.0.0", 8080, Transport.AUTO, 0, 10L << 20, 16384, 8192,
                Duration.ofSeconds(10), Duration.ofSeconds(60), Duration.ofSeconds(75), Duration.ofSeconds(30),
                10_000, Duration.ofSeconds(2), 3000, Duration.ofSeconds(10), Duration.ofSeconds(30),
                Duration.ofSeconds(5), 64L << 20, Duration.ofSeconds(60), TlsEngine.AUTO, null),
                config.server());
        assertEquals(new RoutingConfig(null, List.of()), config.routing());
        assertEquals(List.of(new ApiKeyConfig("demo", "key-0123456789abcdef", List.of("*"))), config.apiKeys());
        ProviderConfig openai = config.providers().get("openai");
        assertEquals(URI.create("https://api.openai.com/v1"), openai.baseUrl());
        assertEquals(List.of("sk-x"), openai.apiKeys());
        assertEquals(256, openai.maxConnections());
        assertEquals(Duration.ofSeconds(5), openai.connectTimeout());
        assertEquals(Duration.ofSeconds(60), openai.poolIdleTimeout());
        assertNull(openai.mock());
        assertEquals(List.of(), config.providers().get("vllm").apiKeys());
        assertEquals(new MockOptions(16, Duration.ofMillis(20)), config.providers().get("mock").mock());
        assertEquals(new ModelConfig("m", "mock", "m", UpstreamPolicy.DEFAULT), config.models().get("m"));
    }

    @Test
    void resiliencePolicyIsSetPerProviderAndOverriddenPerModelKeyByKey() throws ConfigException {
        GatewayConfig config = parse(MINIMAL_KEY + """
                [providers.vllm]
                type = "openai_compatible"
                base_url = "http://vllm:8000/v1"
                first_byte_timeout = "20s"
                idle_timeout = "15s"
                max_attempts = 3
                max_retry_delay = "2s"
                key_cooldown = "10s"
                key_failure_cooldown = "1m"
                key_rejected_cooldown = "45s"
                [models.slow]
                provider = "vllm"
                first_byte_timeout = "5m"
                total_timeout = "10m"
                [models.plain]
                provider = "vllm"
                """, Map.of());

        ProviderConfig vllm = config.providers().get("vllm");
        UpstreamPolicy provider = new UpstreamPolicy(Duration.ofSeconds(20), Duration.ofSeconds(15), Duration.ZERO,
                3, Duration.ofSeconds(2), 4096);
        assertEquals(provider, vllm.policy());
        assertEquals(Duration.ofSeconds(10), vllm.keyCooldown());
        assertEquals(Duration.ofMinutes(1), vllm.keyFailureCooldown());
        assertEquals(Duration.ofSeconds(45), vllm.keyRejectedCooldown());
        assertEquals(new UpstreamPolicy(Duration.ofMinutes(5), Duration.ofSeconds(15), Duration.ofMinutes(10), 3,
                Duration.ofSeconds(2), 4096), config.models().get("slow").policy());
        assertEquals(provider, config.models().get("plain").policy());
    }

    @Test
    void eachDeploymentKeepsItsOwnProvidersPolicyUnderTheAliasOverrides() throws ConfigException {
        GatewayConfig config = parse(MINIMAL_KEY + """
                [providers.near]
                type = "openai_compatible"
                base_url = "http://near:8000/v1"
                first_byte_timeout = "2s"
                max_attempts = 1
                [providers.far]
                type = "openai_compatible"
                base_url = "http://far:8000/v1"
                first_byte_timeout = "20s"
                max_attempts = 4
                [models.split]
                idle_timeout = "7s"
                deployments = [{ provider = "near" }, { provider = "far", weight = 2 }]
                """, Map.of());

        List<Deployment> deployments = config.models().get("split").deployments();
        assertEquals(new UpstreamPolicy(Duration.ofSeconds(2), Duration.ofSeconds(7), Duration.ZERO, 1,
                Duration.ofSeconds(5), 4096), deployments.get(0).policy());
        assertEquals(new UpstreamPolicy(Duration.ofSeconds(20), Duration.ofSeconds(7), Duration.ZERO, 4,
                Duration.ofSeconds(5), 4096), deployments.get(1).policy());
        assertEquals(ProviderConfig.KEY_REJECTED_COOLDOWN, config.providers().get("near").keyRejectedCooldown());
    }

    @Test
    void aRejectedKeyMustRestAWhile() {
        ConfigException e = assertThrows(ConfigException.class, () -> parse(MINIMAL_KEY + """
                [providers.vllm]
                type = "openai_compatible"
                base_url = "http://vllm:8000/v1"
                key_rejected_cooldown = "0s"
                """, Map.of()));
        assertTrue(e.getMessage().contains("providers.vllm.key_rejected_cooldown"), e.getMessage());
    }

    @Test
    void resiliencePolicyProblemsNameTheirKey() {
        ConfigException e = assertThrows(ConfigException.class, () -> parse(MINIMAL_KEY + """
                [providers.vllm]
                type = "openai_compatible"
                base_url = "http://vllm:8000/v1"
                idle_timeout = "0s"
                [models.m]
                provider = "vllm"
                max_attempts = 0
                """, Map.of()));

        assertEquals(List.of("providers.vllm.idle_timeout: \"0s\" (expected: a duration > 0 such as \"30s\")",
                "models.\"m\".max_attempts: 0 (expected: an integer from 1 to 10)"), e.problems());
    }

    /** A file with one OpenAI-compatible provider, "vllm" (model "m"), that has {@code lines}. */
    private static String vllmWith(String lines) {
        return MINIMAL_KEY + """
                [providers.vllm]
                type = "openai_compatible"
                base_url = "http://vllm:8000/v1"
                %s
                [models.m]
                provider = "vllm"
                """.formatted(lines);
    }

    @Test
    void maxSseEventBytesIsASizePerProviderWithADefaultOf16MiB() throws ConfigException {
        assertEquals(16 << 20, parse(vllmWith(""), Map.of()).providers().get("vllm").maxSseEventBytes());
        assertEquals(64 << 20, parse(vllmWith("max_sse_event_bytes = \"64MiB\""), Map.of()).providers().get("vllm")
                .maxSseEventBytes());
        assertEquals(List.of("providers.vllm.max_sse_event_bytes: \"2GiB\" (expected: a byte size from 1024 to"
                        + " 1073741824, as an integer or a string such as \"512KiB\" or \"10MB\")"),
                problems(vllmWith("max_sse_event_bytes = \"2GiB\""), Map.of()));
    }

    @Test
    void httpIsAutoByDefaultAndOneOfThreeVersions() throws ConfigException {
        assertEquals(UpstreamHttp.AUTO, parse(vllmWith(""), Map.of()).providers().get("vllm").http());
        assertEquals(UpstreamHttp.HTTP_2, parse(vllmWith("http = \"2\""), Map.of()).providers().get("vllm").http());
        assertEquals(UpstreamHttp.HTTP_1_1, parse(vllmWith("http = \"1.1\""), Map.of()).providers().get("vllm")
                .http());
        assertEquals(List.of("providers.vllm.http: \"h2\" (expected: one of \"auto\", \"1.1\", \"2\")"),
                problems(vllmWith("http = \"h2\""), Map.of()));
        assertEquals(List.of("providers.vllm.http: 2 (expected: one of \"auto\", \"1.1\", \"2\")"),
                problems(vllmWith("http = 2"), Map.of()));
        assertEquals(List.of("providers.m.http: \"2\" (expected: no http for type mock: it has no connection)"),
                problems(MINIMAL_KEY + "[providers.m]\ntype = \"mock\"\nhttp = \"2\"\n", Map.of()));
    }

    @Test
    void substitutesVariablesWithAndWithoutDefaultsAndDollarEscapes() throws ConfigException {
        GatewayConfig config = parse("""
                [server]
                host = "${HOST}"
                [[api_keys]]
                name = "${NAME:-fallback}"
                key = "pre$$${SECRET:-x}$$post-0123456789"
                models = ["${MODEL_GLOB:-gpt-*}", "$$literal", "price$5"]
                """, Map.of("HOST", "10.0.0.1", "SECRET", "s3", "MODEL_GLOB", ""));

        assertEquals("10.0.0.1", config.server().host());
        ApiKeyConfig key = config.apiKeys().get(0);
        assertEquals("fallback", key.name());
        assertEquals("pre$s3$post-0123456789", key.key());
        // ${VAR:-default} also applies to a variable that is set but empty, as in the shell.
        assertEquals(List.of("gpt-*", "$literal", "price$5"), key.models());
    }

    @Test
    void unsetProviderKeyDisablesProviderAndDependantsWithOneWarningEach() throws ConfigException {
        GatewayConfig config = parse(MINIMAL_KEY + """
                [routing]
                default_provider = "openai"
                [[routing.rules]]
                match = "gpt-*"
                provider = "openai"
                [[routing.rules]]
                match = "*"
                provider = "mock"
                [providers.openai]
                type = "openai"
                api_keys = ["${OPENAI_API_KEY}", "${OPENAI_API_KEY_2}"]
                [providers.mock]
                type = "mock"
                [models."gpt-4o"]
                provider = "openai"
                [models.fake]
                provider = "mock"
                """, Map.of());

        assertEquals(List.of("mock"), List.copyOf(config.providers().keySet()));
        assertEquals(List.of("fake"), List.copyOf(config.models().keySet()));
        assertEquals(new RoutingConfig(null, List.of(new RouteRule("*", "mock"))), config.routing());
        assertEquals(List.of(
                "providers.openai: disabled because OPENAI_API_KEY is not set",
                "models.\"gpt-4o\": disabled because provider openai is disabled",
                "routing.default_provider: ignored because provider openai is disabled",
                "routing.rules[0]: dropped because provider openai is disabled"), config.warnings());
    }

    @Test
    void unsetClientKeyVariableDisablesThatKeyOnly() throws ConfigException {
        GatewayConfig config = parse("""
                [[api_keys]]
                name = "demo"
                key = "${GATEWAY_DEMO_KEY}"
                [[api_keys]]
                name = "ops"
                key = "ops-key-0123456789"
                [[api_keys]]
                name = "off"
                key = "${ALSO_UNSET}"
                enabled = false
                """, Map.of());

        assertEquals(List.of("ops"), config.apiKeys().stream().map(ApiKeyConfig::name).toList());
        assertEquals(List.of("api_keys[0] (demo): disabled because GATEWAY_DEMO_KEY is not set"), config.warnings());
    }

    @Test
    void unsetVariableOutsideSecretsIsAnError() {
        assertEquals(List.of(
                "server.host: \"${BIND}\" (expected: BIND to be set, or a default as in ${BIND:-value})",
                "providers.local.base_url: \"http://${LOCAL_HOST}/v1\""
                        + " (expected: LOCAL_HOST to be set, or a default as in ${LOCAL_HOST:-value})"),
                problems("""
                        [server]
                        host = "${BIND}"
                        """ + MINIMAL_KEY + """
                        [providers.local]
                        type = "openai_compatible"
                        base_url = "http://${LOCAL_HOST}/v1"
                        """, Map.of()));
    }

    @Test
    void malformedReferenceIsAnError() {
        assertEquals(List.of("server.host: \"${BIND\" (expected: ${NAME}, ${NAME:-default}, or $$ for a literal $)",
                        "api_keys[0].key: \"<redacted>\" (expected: ${NAME}, ${NAME:-default}, or $$ for a literal $)"),
                problems("""
                        [server]
                        host = "${BIND"
                        [[api_keys]]
                        name = "demo"
                        key = "${1BAD}"
                        """, Map.of()));
    }

    @Test
    void environmentOverridesReplaceSettingsOfTheirType() throws ConfigException {
        GatewayConfig config = parse(MINIMAL_KEY + """
                [providers.local]
                type = "openai_compatible"
                base_url = "http://localhost:8000/v1"
                api_keys = ["file-key"]
                [providers.mock]
                type = "mock"
                [models."GPT-4o"]
                provider = "local"
                """, Map.of(
                "LLM_GATEWAY__SERVER__PORT", "9000",
                "LLM_GATEWAY__SERVER__IDLE_TIMEOUT", "2m",
                "LLM_GATEWAY__SERVER__MAX_REQUEST_BYTES", "1MiB",
                "LLM_GATEWAY__SERVER__TRANSPORT", "epoll",
                "LLM_GATEWAY__PROVIDERS__LOCAL__BASE_URL", "https://vllm.example.com/v1",
                "LLM_GATEWAY__PROVIDERS__LOCAL__API_KEY", "env-key",
                "LLM_GATEWAY__PROVIDERS__MOCK__TOKENS", "3",
                "LLM_GATEWAY__MODELS__GPT-4O__API_MODEL", "gpt-4o-mini",
                "UNRELATED", "ignored"));

        // No [server] table in the file: server settings may still be overridden.
        assertEquals(9000, config.server().port());
        assertEquals(Duration.ofMinutes(2), config.server().idleTimeout());
        assertEquals(1L << 20, config.server().maxRequestBytes());
        assertEquals(Transport.EPOLL, config.server().transport());
        ProviderConfig local = config.providers().get("local");
        assertEquals(URI.create("https://vllm.example.com/v1"), local.baseUrl());
        assertEquals(List.of("env-key"), local.apiKeys());
        assertEquals(3, config.providers().get("mock").mock().tokens());
        assertEquals("gpt-4o-mini", config.models().get("GPT-4o").apiModel());
    }

    @Test
    void badOverridesAreNamedByTheirVariable() {
        assertEquals(List.of(
                "LLM_GATEWAY__MODELS__GHOST__PROVIDER: [models.ghost] is not in the config file"
                        + " (expected: an override of a setting whose table the file declares)",
                "LLM_GATEWAY__ROUTING__DEFAULT_PROVIDER: [routing] is not in the config file"
                        + " (expected: an override of a setting whose table the file declares)",
                "LLM_GATEWAY__SERVER__PROT: unknown setting server.prot (expected one of: server.host, server.port,"
                        + " server.transport, server.io_threads, server.max_request_bytes, server.max_header_bytes,"
                        + " server.max_initial_line_bytes, server.header_read_timeout, server.body_read_timeout,"
                        + " server.idle_timeout, server.drain_timeout, server.max_connections,"
                        + " server.config_reload, server.warmup_requests, server.warmup_timeout)",
                "LLM_GATEWAY__TLS__CERT: unknown setting tls.cert (expected one of: server.<key>,"
                        + " routing.default_provider, providers.<name>.<key>, models.<alias>.<key>, tracing.<key>,"
                        + " shared.<key>)",
                "LLM_GATEWAY__SERVER__PORT: \"abc\" (expected: an integer from 0 to 65535)",
                "LLM_GATEWAY__SERVER__DRAIN_TIMEOUT: \"soon\" (expected: a duration >= 0 such as \"250ms\","
                        + " \"10s\" or \"1m30s\")",
                "LLM_GATEWAY__PROVIDERS__MOCK__TOKENS: \"0\" (expected: an integer from 1 to 100000)"),
                problems(MINIMAL_KEY + """
                        [providers.mock]
                        type = "mock"
                        """, Map.of(
                        "LLM_GATEWAY__SERVER__PORT", "abc",
                        "LLM_GATEWAY__SERVER__DRAIN_TIMEOUT", "soon",
                        "LLM_GATEWAY__SERVER__PROT", "1",
                        "LLM_GATEWAY__TLS__CERT", "x",
                        "LLM_GATEWAY__ROUTING__DEFAULT_PROVIDER", "mock",
                        "LLM_GATEWAY__MODELS__GHOST__PROVIDER", "mock",
                        "LLM_GATEWAY__PROVIDERS__MOCK__TOKENS", "0")));
    }

    @Test
    void reportsEveryProblemOfABadFile() {
        assertEquals(List.of(
                "server.port: 70000 (expected: an integer from 0 to 65535)",
                "server.transport: \"kqueue\" (expected: one of auto, epoll, io_uring, nio)",
                "server.io_threads: -1 (expected: an integer >= 0 (0: one per core))",
                "server.max_request_bytes: 512 (expected: a byte size of at least 1024,"
                        + " as an integer or a string such as \"512KiB\" or \"10MB\")",
                "server.max_header_bytes: \"2MiB\" (expected: a byte size from 1024 to 1048576,"
                        + " as an integer or a string such as \"512KiB\" or \"10MB\")",
                "server.idle_timeout: \"75\" (expected: a duration >= 0 such as \"250ms\", \"10s\" or \"1m30s\")",
                "server.drain_timeout: \"-1s\" (expected: a duration >= 0 such as \"250ms\", \"10s\" or \"1m30s\")",
                "server.max_connections: 0 (expected: an integer >= 1)",
                "server.config_reload: \"50ms\" (expected: \"0s\" (off) or a duration from 100ms to 1h)",
                "server.warmup_requests: -5 (expected: an integer from 0 (no warm-up) to 1000000)",
                "server.warmup_timeout: \"0s\" (expected: a duration from 1ms to 5m)",
                "server.lingering_timeout: \"0s\" (expected: a duration of 1ms or more)",
                "server.max_lingering_bytes: -1 (expected: a byte size of at least 0,"
                        + " as an integer or a string such as \"512KiB\" or \"10MB\")",
                "server.prot: unknown key (expected one of: host, port, transport, io_threads, max_request_bytes,"
                        + " max_header_bytes, max_initial_line_bytes, header_read_timeout, body_read_timeout,"
                        + " idle_timeout, drain_timeout, max_connections, config_reload, warmup_requests,"
                        + " warmup_timeout, lingering_time, lingering_timeout, max_lingering_bytes,"
                        + " stalled_client_timeout, tls_engine, tls)",
                "api_keys[0].name: \"has space\" (expected: a name of 1 to 64 characters A-Z, a-z, 0-9, _, . or -)",
                "api_keys[0].models: [] (expected: a non-empty list of model globs such as [\"*\"] or [\"gpt-*\"])",
                "api_keys[1].key: missing (expected: a non-empty string, unique among keys)",
                "api_keys[1].enabled: \"yes\" (expected: true or false)",
                "providers.openai.type: \"openia\" (expected: one of openai, openai_compatible, anthropic, gemini,"
                        + " mock)",
                "providers.claude.api_keys: missing (expected: api_key or api_keys with at least one key for type"
                        + " anthropic)",
                "providers.local.base_url: missing (expected: an http or https URL with a host,"
                        + " such as \"https://api.openai.com/v1\")",
                "providers.local.max_connections: 0 (expected: an integer >= 1)",
                "providers.Bad: invalid provider name (expected: 1 to 32 characters a-z, 0-9, _ or -)",
                "providers.Bad.base_url: \"ftp://files\" (expected: no base_url for type mock)",
                "providers.Bad.token_delay: 20 (expected: a duration >= 0 such as \"250ms\", \"10s\" or \"1m30s\")",
                "providers.Bad.retries: unknown key (expected one of: type, max_connections, connect_timeout,"
                        + " pool_idle_timeout, first_byte_timeout, idle_timeout, total_timeout, max_attempts,"
                        + " max_retry_delay, default_max_tokens, key_cooldown, key_failure_cooldown,"
                        + " key_rejected_cooldown, breaker_failures, breaker_error_ratio, breaker_min_requests,"
                        + " breaker_window, breaker_cooldown, max_sse_event_bytes, tokens, token_delay)",
                "models.\"gpt-4o\".provider: \"opnai\" (expected: the name of a configured provider:"
                        + " Bad, claude, local, openai)",
                "models.\"x\".provider: missing (expected: the name of a configured provider:"
                        + " Bad, claude, local, openai)",
                "routing.default_provider: \"nope\" (expected: the name of a configured provider:"
                        + " Bad, claude, local, openai)",
                "routing.rules[0].match: missing (expected: a non-empty model glob such as \"gpt-*\")",
                "listen: unknown key (expected one of: server, api_keys, providers, models, routing, metrics, access_log, capture, tracing, shared, prices, teams)"),
                problems("""
                        listen = "0.0.0.0:80"
                        [server]
                        port = 70000
                        transport = "kqueue"
                        io_threads = -1
                        max_request_bytes = 512
                        max_header_bytes = "2MiB"
                        idle_timeout = "75"
                        drain_timeout = "-1s"
                        max_connections = 0
                        config_reload = "50ms"
                        warmup_requests = -5
                        warmup_timeout = "0s"
                        lingering_timeout = "0s"
                        max_lingering_bytes = -1
                        prot = 8080
                        [routing]
                        default_provider = "nope"
                        [[routing.rules]]
                        provider = "openai"
                        [[api_keys]]
                        name = "has space"
                        key = "key-1-0123456789abcdef"
                        models = []
                        [[api_keys]]
                        name = "second"
                        enabled = "yes"
                        [providers.openai]
                        type = "openia"
                        [providers.claude]
                        type = "anthropic"
                        [providers.local]
                        type = "openai_compatible"
                        max_connections = 0
                        [providers.Bad]
                        type = "mock"
                        base_url = "ftp://files"
                        token_delay = 20
                        retries = 3
                        [models."gpt-4o"]
                        provider = "opnai"
                        [models.x]
                        api_model = "x"
                        """, Map.of()));
    }

    @Test
    void wrongTomlTypesAreProblems() {
        String globs = "(expected: a non-empty list of model globs such as [\"*\"] or [\"gpt-*\"])";
        assertEquals(List.of(
                "server.host: 127 (expected: a host name or IP address)",
                "server.port: \"8080\" (expected: an integer from 0 to 65535)",
                "server.idle_timeout: 75 (expected: a duration >= 0 such as \"250ms\", \"10s\" or \"1m30s\")",
                "api_keys[0].models: \"*\" " + globs,
                "api_keys[1].models[0]: \"\" " + globs,
                "api_keys[1].models[1]: 3 " + globs,
                "models: [1, 2] (expected: a table such as [models])",
                "routing.rules: a table (expected: an array of tables such as [[routing.rules]])"),
                problems("""
                        models = [1, 2]
                        [server]
                        host = 127
                        port = "8080"
                        idle_timeout = 75
                        [routing.rules]
                        match = "*"
                        [[api_keys]]
                        name = "a"
                        key = "key-1-0123456789abcdef"
                        models = "*"
                        [[api_keys]]
                        name = "b"
                        key = "key-2-0123456789abcdef"
                        models = ["", 3]
                        """, Map.of()));
        assertEquals(List.of("server: 5 (expected: a table such as [server])"),
                problems("server = 5\n" + MINIMAL_KEY, Map.of()));
    }

    @Test
    void unknownKeysListWhatWouldBeAccepted() {
        assertEquals(List.of(
                "api_keys[0].enable: unknown key (expected one of: name, key, models, enabled, requests_per_minute,"
                        + " tokens_per_minute, max_concurrent, token_budget, budget_period, budget_usd, budget_mode, team, provider_keys)",
                "providers.openai.tokens: 3 (expected: no tokens for type openai: only mock providers take it)",
                "providers.openai.base_ur: unknown key (expected one of: type, base_url, api_key, api_keys,"
                        + " ca_file, max_connections, connect_timeout, pool_idle_timeout, first_byte_timeout, idle_timeout,"
                        + " total_timeout, max_attempts, max_retry_delay, default_max_tokens, key_cooldown,"
                        + " key_failure_cooldown, key_rejected_cooldown, breaker_failures, breaker_error_ratio,"
                        + " breaker_min_requests, breaker_window, breaker_cooldown, max_sse_event_bytes, http)",
                "models.\"m\".api-model: unknown key (expected one of: deployments, provider, api_model,"
                        + " fallbacks, first_byte_timeout, idle_timeout, total_timeout, max_attempts, max_retry_delay,"
                        + " default_max_tokens)",
                "routing.rules[0].glob: unknown key (expected one of: match, provider)",
                "routing.fallback: unknown key (expected one of: default_provider, rules)",
                "\"odd key\": unknown key (expected one of: server, api_keys, providers, models, routing, metrics, access_log, capture, tracing, shared, prices, teams)"),
                problems("""
                        "odd key" = 1
                        [routing]
                        fallback = "openai"
                        [[routing.rules]]
                        match = "*"
                        provider = "openai"
                        glob = "*"
                        [[api_keys]]
                        name = "demo"
                        key = "key-0123456789abcdef"
                        enable = false
                        [providers.openai]
                        type = "openai"
                        api_key = "sk"
                        base_ur = "http://x"
                        tokens = 3
                        [models.m]
                        provider = "openai"
                        api-model = "x"
                        """, Map.of()));
    }

    @Test
    void providerKeyRules() {
        assertEquals(List.of(
                "providers.a.api_keys: missing (expected: api_key or api_keys with at least one key for type openai)",
                "providers.b.api_keys: \"<redacted>\" (expected: at least one key for type openai)",
                "providers.c.api_keys: \"<redacted>\" (expected: either api_key or api_keys, not both)",
                "providers.d.api_key: \"\" (expected: a non-empty string)",
                "providers.e.api_keys[1]: \"<redacted>\" (expected: a non-empty string)",
                "providers.f.api_key: \"<redacted>\" (expected: no api_key for type mock)",
                "providers.f.api_keys: \"<redacted>\" (expected: no api_keys for type mock)"),
                problems(MINIMAL_KEY + """
                        [providers.a]
                        type = "openai"
                        [providers.b]
                        type = "openai"
                        api_keys = []
                        [providers.c]
                        type = "openai"
                        api_key = "sk-one"
                        api_keys = ["sk-two"]
                        [providers.d]
                        type = "openai_compatible"
                        base_url = "http://localhost:8000"
                        api_key = "${EMPTY}"
                        [providers.e]
                        type = "openai"
                        api_keys = ["sk-fine", 42]
                        [providers.f]
                        type = "mock"
                        api_key = "sk-mock"
                        api_keys = ["sk-mock2"]
                        """, Map.of("EMPTY", "")));
    }

    @Test
    void baseUrlMustBeAnHttpUrlWithAHost() {
        String expected = " (expected: an http or https URL with a host, such as \"https://api.openai.com/v1\")";
        assertEquals(List.of(
                "providers.a.base_url: \"localhost:8000\"" + expected,
                "providers.b.base_url: \"https:///v1\"" + expected,
                "providers.c.base_url: \"http://bad host/\"" + expected,
                "providers.d.base_url: \"${SCHEME:-ftp}://h\" resolved to \"ftp://h\"" + expected),
                problems(MINIMAL_KEY + """
                        [providers.a]
                        type = "openai_compatible"
                        base_url = "localhost:8000"
                        [providers.b]
                        type = "openai_compatible"
                        base_url = "https:///v1"
                        [providers.c]
                        type = "openai_compatible"
                        base_url = "http://bad host/"
                        [providers.d]
                        type = "openai_compatible"
                        base_url = "${SCHEME:-ftp}://h"
                        """, Map.of()));
    }

    @Test
    void clientKeysMustBeUniqueAndAtLeastOneEnabled() {
        assertEquals(List.of(
                "api_keys[1].name: \"demo\" (expected: a unique name; api_keys[0] has it too)",
                "api_keys[2].key: duplicates the key of api_keys[0] (expected: a unique key)"),
                problems("""
                        [[api_keys]]
                        name = "demo"
                        key = "same-secret-0123456789"
                        [[api_keys]]
                        name = "demo"
                        key = "other-secret-0123456789"
                        [[api_keys]]
                        name = "ops"
                        key = "${SAME:-same-secret-0123456789}"
                        """, Map.of()));
        String none = "api_keys: no enabled key (expected: at least one [[api_keys]] entry)";
        assertEquals(List.of(none), problems("", Map.of()));
        assertEquals(List.of("api_keys: no enabled key (expected: at least one [[api_keys]] entry; not set: NOT_SET)"),
                problems("""
                [[api_keys]]
                name = "off"
                key = "key-0123456789abcdef"
                enabled = false
                [[api_keys]]
                name = "unset"
                key = "${NOT_SET}"
                """, Map.of()));
    }

    @Test
    void syntaxErrorsGiveSourceLineAndColumn() {
        assertEquals(List.of(
                "test.toml:2:8: Unexpected '=', expected a value",
                "test.toml:3:10: Unexpected end of line, expected \" or a character"),
                problems("""
                        [server]
                        port = = 3
                        host = "x
                        """, Map.of()));
    }

    @Test
    void gatewayKeysAreLongPrintableSecretsAndTheProblemNeverShowsThem() {
        List<String> problems = problems("""
                [[api_keys]]
                name = "short"
                key = "abcde"
                [[api_keys]]
                name = "spaced"
                key = "a long enough key with spaces"
                [[api_keys]]
                name = "control"
                key = "${CONTROL}"
                [[api_keys]]
                name = "unicode"
                key = "ключ-0123456789abcdef"
                [[api_keys]]
                name = "fine"
                key = "${GATEWAY_DEMO_KEY:-demo-key-not-secret}"
                """, Map.of("CONTROL", "tab\there-0123456789"));
        String expected = " (expected: a secret of at least 16 printable ASCII characters, without spaces)";
        assertEquals(List.of(
                "api_keys[0].key: 5 characters" + expected,
                "api_keys[1].key: a space or a control character" + expected,
                "api_keys[2].key: a space or a control character" + expected,
                "api_keys[3].key: a space or a control character" + expected), problems);
        for (String secret : List.of("abcde", "with spaces", "here-0123456789", "ключ")) {
            assertFalse(String.join("\n", problems).contains(secret), secret + " shown");
        }
    }

    @Test
    void secretsNeverAppearInProblemsWarningsOrToString() throws ConfigException {
        List<String> secrets = List.of("sk-live-1", "sk-live-2", "client-secret", "env-secret",
                "dup-secret-0123456789");
        ConfigException e = assertThrows(ConfigException.class, () -> parse("""
                [[api_keys]]
                name = "a"
                key = "dup-secret-0123456789"
                [[api_keys]]
                name = "b"
                key = "dup-secret-0123456789"
                [[api_keys]]
                name = "c"
                key = ["client-secret"]
                [providers.openai]
                type = "openai"
                api_key = "sk-live-1"
                api_keys = ["sk-live-2", 7]
                [providers.mock]
                type = "mock"
                api_key = "sk-live-1"
                """, Map.of("LLM_GATEWAY__PROVIDERS__MOCK__API_KEY", "env-secret")));
        assertEquals(4, e.problems().size(), e.getMessage());
        for (String secret : secrets) {
            assertFalse(e.getMessage().contains(secret), secret + " leaked: " + e.getMessage());
        }
        assertTrue(e.getMessage().contains("\"<redacted>\""), e.getMessage());

        GatewayConfig config = parse(FULL, Map.of("OPENAI_API_KEY", "sk-live-1"));
        String shown = config + " " + config.apiKeys() + " " + config.providers();
        for (String secret : List.of("sk-live-1", "sk-second", "team-a-secret-0123456789", "demo-key-not-secret")) {
            assertFalse(shown.contains(secret), secret + " leaked: " + shown);
        }
    }

    @Test
    void loadReadsAFileAndNamesAMissingOne(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("gateway.toml");
        Files.writeString(file, MINIMAL_KEY + "[server]\nport = 0\n");
        assertEquals(0, ConfigLoader.load(file, Map.of()).server().port());

        Files.writeString(file, "[server\n");
        assertTrue(assertThrows(ConfigException.class, () -> ConfigLoader.load(file, Map.of()))
                .getMessage().startsWith(file + ":1:8: "));

        Path missing = dir.resolve("missing.toml");
        assertEquals(List.of(missing + ": file not found (expected: a readable TOML config file)"),
                assertThrows(ConfigException.class, () -> ConfigLoader.load(missing, Map.of())).problems());
    }

    @Test
    void messageJoinsProblemsWithNewlines() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> parse("[server]\nport = -1\n", Map.of()));
        assertEquals(String.join("\n", e.problems()), e.getMessage());
        assertEquals(2, e.problems().size());
    }
}
