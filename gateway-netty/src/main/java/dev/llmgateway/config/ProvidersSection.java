package dev.llmgateway.config;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/** Reads {@code [providers.<name>]}; a provider whose key variable is unset is disabled, not an error. */
final class ProvidersSection {
    private static final Pattern NAME = Pattern.compile("[a-z0-9_-]{1,32}");
    private static final String TYPE_EXPECTED = "one of " + String.join(", ", TomlText.names(ProviderType.values()));
    private static final String URL_EXPECTED = "an http or https URL with a host, such as \"https://api.openai.com/v1\"";
    /** The public endpoints of the providers that have one; an openai_compatible server needs its base_url. */
    private static final Map<ProviderType, String> DEFAULT_URLS = Map.of(
            ProviderType.OPENAI, "https://api.openai.com/v1",
            ProviderType.ANTHROPIC, "https://api.anthropic.com/v1",
            ProviderType.GEMINI, "https://generativelanguage.googleapis.com/v1beta");
    private static final String KEYS_EXPECTED = "a list of keys such as [\"${OPENAI_API_KEY}\"]";
    private static final String HTTP_EXPECTED = "one of \"auto\", \"1.1\", \"2\"";
    private static final Pattern ANTHROPIC_VERSION = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");

    /**
     * {@code enabled} in file order; {@code configured} holds every declared name, disabled or broken ones too,
     * so that references to them are not reported a second time as unknown.
     */
    record Result(Map<String, ProviderConfig> enabled, Set<String> configured, Set<String> disabled) {
        /** The expected-value text for a reference to a provider. */
        String expectedReference() {
            return configured.isEmpty() ? "the name of a configured provider (none are configured)"
                    : "the name of a configured provider: " + String.join(", ", configured);
        }
    }

    /** A read provider: {@code config} is null after a problem; {@code unsetVariable} disables it. */
    private record Provider(ProviderConfig config, String unsetVariable) {
    }

    private record Keys(List<String> values, String unsetVariable) {
    }

    private ProvidersSection() {
    }

    static Result read(ConfigTable root) {
        Map<String, ProviderConfig> enabled = new LinkedHashMap<>();
        Set<String> configured = new TreeSet<>();
        Set<String> disabled = new TreeSet<>();
        for (Map.Entry<String, ConfigTable> entry : root.namedTables("providers", false).entrySet()) {
            String name = entry.getKey();
            ConfigTable t = entry.getValue();
            if (!NAME.matcher(name).matches()) {
                t.problems().add(t.label() + ": invalid provider name"
                        + " (expected: 1 to 32 characters a-z, 0-9, _ or -)");
            }
            configured.add(name);
            Provider provider = readOne(name, t);
            if (provider.unsetVariable() != null) {
                t.problems().warn(t.label() + ": disabled because " + provider.unsetVariable() + " is not set");
                disabled.add(name);
            } else if (provider.config() != null) {
                enabled.put(name, provider.config());
            }
        }
        return new Result(enabled, configured, disabled);
    }

    private static Provider readOne(String name, ConfigTable t) {
        ProviderType type = readType(t);
        URI baseUrl = null;
        Keys keys = new Keys(List.of(), null);
        List<X509Certificate> caCertificates = List.of();
        if (type == null) {
            t.accept("base_url", "api_key", "api_keys", "ca_file");
        } else if (type == ProviderType.MOCK) {
            for (String key : List.of("base_url", "api_key", "api_keys", "ca_file")) {
                t.forbid(key, "no " + key + " for type mock");
            }
        } else {
            baseUrl = readBaseUrl(t, type);
            keys = readKeys(t, type);
            caCertificates = readCaFile(t, baseUrl);
        }
        String anthropicVersion = null;
        if (type == ProviderType.ANTHROPIC) {
            anthropicVersion = t.string("anthropic_version", ProviderConfig.ANTHROPIC_VERSION,
                    "an API version date such as \"2023-06-01\"");
            if (anthropicVersion != null && !ANTHROPIC_VERSION.matcher(anthropicVersion).matches()) {
                t.problem("anthropic_version", "an API version date such as \"2023-06-01\"");
            }
        } else if (type != null) {
            t.forbid("anthropic_version", "no anthropic_version for type " + TomlText.name(type)
                    + ": only anthropic providers take it");
        } else {
            t.accept("anthropic_version");
        }
        int maxConnections = (int) t.integer("max_connections", 256, 1, Integer.MAX_VALUE, "an integer >= 1");
        Duration connectTimeout = t.duration("connect_timeout", Duration.ofSeconds(5));
        Duration poolIdleTimeout = t.duration("pool_idle_timeout", Duration.ofSeconds(60));
        UpstreamPolicy policy = UpstreamPolicy.read(t, UpstreamPolicy.DEFAULT);
        Duration keyCooldown = t.duration("key_cooldown", Duration.ofSeconds(30));
        Duration keyFailureCooldown = t.duration("key_failure_cooldown", Duration.ofMinutes(5));
        Duration keyRejectedCooldown = t.duration("key_rejected_cooldown", ProviderConfig.KEY_REJECTED_COOLDOWN);
        if (keyRejectedCooldown.isZero()) {
            // a rejected key tried again at once would send every request to a provider that refuses it
            t.problem("key_rejected_cooldown", "a duration > 0 such as \"30s\"");
        }
        BreakerPolicy breaker = BreakerPolicy.read(t);
        int maxSseEventBytes = (int) t.byteSize("max_sse_event_bytes", ProviderConfig.DEFAULT_MAX_SSE_EVENT_BYTES,
                1024, 1 << 30);
        UpstreamHttp http = readHttp(t, type);
        MockOptions mock = null;
        if (type == null) {
            t.accept("tokens", "token_delay");
        } else if (type == ProviderType.MOCK) {
            mock = new MockOptions((int) t.integer("tokens", 16, 1, 100_000, "an integer from 1 to 100000"),
                    t.duration("token_delay", Duration.ofMillis(20)));
        } else {
            String typeName = TomlText.name(type);
            t.forbid("tokens", "no tokens for type " + typeName + ": only mock providers take it");
            t.forbid("token_delay", "no token_delay for type " + typeName + ": only mock providers take it");
        }
        t.reportUnknownKeys();
        if (type == null || (type != ProviderType.MOCK && baseUrl == null)) {
            return new Provider(null, null);
        }
        return new Provider(new ProviderConfig(name, type, baseUrl, keys.values(), maxConnections,
                connectTimeout, poolIdleTimeout, policy, keyCooldown, keyFailureCooldown, keyRejectedCooldown, mock,
                breaker, anthropicVersion, maxSseEventBytes, caCertificates, http),
                keys.unsetVariable());
    }

    /** {@code http}: a string, because "1.1" and "2" are versions, not names; a mock has no wire to choose. */
    private static UpstreamHttp readHttp(ConfigTable t, ProviderType type) {
        if (type == ProviderType.MOCK) {
            t.forbid("http", "no http for type mock: it has no connection");
            return UpstreamHttp.AUTO;
        }
        String text = t.string("http", UpstreamHttp.AUTO.tomlName, HTTP_EXPECTED);
        UpstreamHttp http = text == null ? null : UpstreamHttp.named(text);
        if (text != null && http == null) {
            t.problem("http", HTTP_EXPECTED);
        }
        return http == null ? UpstreamHttp.AUTO : http;
    }

    private static ProviderType readType(ConfigTable t) {
        String text = t.requiredString("type", TYPE_EXPECTED);
        if (text == null) {
            return null;
        }
        int index = TomlText.names(ProviderType.values()).indexOf(text);
        if (index >= 0) {
            return ProviderType.values()[index];
        }
        t.problem("type", TYPE_EXPECTED);
        return null;
    }

    private static URI readBaseUrl(ConfigTable t, ProviderType type) {
        String defaultUrl = DEFAULT_URLS.get(type);
        String text = defaultUrl != null
                ? t.string("base_url", defaultUrl, URL_EXPECTED)
                : t.requiredString("base_url", URL_EXPECTED);
        if (text == null) {
            return null;
        }
        try {
            URI uri = new URI(text);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null) {
                return uri;
            }
        } catch (URISyntaxException e) {
            // reported below, like any other URL the gateway cannot call
        }
        t.problem("base_url", URL_EXPECTED);
        return null;
    }

    /** The CAs of {@code ca_file}, read now so that a file the gateway cannot use fails the (re)load; empty: none. */
    private static List<X509Certificate> readCaFile(ConfigTable t, URI baseUrl) {
        String file = t.string("ca_file", null, "the path of a PEM file of CA certificates");
        if (file == null) {
            return List.of();
        }
        if (baseUrl != null && !"https".equalsIgnoreCase(baseUrl.getScheme())) {
            t.problem("ca_file", "no ca_file for an http base_url: it verifies an https provider's certificate");
            return List.of();
        }
        try {
            return PemFiles.certificates(Path.of(file));
        } catch (IOException | CertificateException | InvalidPathException e) {
            t.problem("ca_file", "a readable PEM file of CA certificates (" + PemFiles.why(e) + ")");
            return List.of();
        }
    }

    /**
     * {@code api_key = "..."} or {@code api_keys = [...]}; the public providers need one, compatible servers often
     * none.
     */
    private static Keys readKeys(ConfigTable t, ProviderType type) {
        boolean required = type != ProviderType.OPENAI_COMPATIBLE;
        String typeName = TomlText.name(type);
        boolean single = t.has("api_key");
        boolean many = t.has("api_keys");
        if (single && many) {
            t.problem("api_keys", "either api_key or api_keys, not both");
        }
        List<ConfigTable.Secret> secrets = new ArrayList<>();
        if (single) {
            ConfigTable.Secret secret = t.secret("api_key");
            if (secret != null) {
                secrets.add(secret);
            }
        } else if (many) {
            List<ConfigTable.Secret> listed = t.secretList("api_keys", KEYS_EXPECTED);
            if (listed != null && listed.isEmpty() && required) {
                t.problem("api_keys", "at least one key for type " + typeName);
            }
            secrets.addAll(listed == null ? List.of() : listed);
        } else if (required) {
            t.problem("api_keys", "api_key or api_keys with at least one key for type " + typeName);
        }
        List<String> values = new ArrayList<>();
        String unset = null;
        for (ConfigTable.Secret secret : secrets) {
            if (secret.value() != null) {
                values.add(secret.value());
            } else if (unset == null) {
                unset = secret.unsetVariable();
            }
        }
        return new Keys(values, unset);
    }
}
