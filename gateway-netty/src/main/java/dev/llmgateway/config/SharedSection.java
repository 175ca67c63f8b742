package dev.llmgateway.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.regex.Pattern;

/** Reads {@code [shared]}; absent, there is no shared state (null). Only {@code redis_url} is required. */
final class SharedSection {
    static final String URL_EXPECTED = "redis://[[user]:password@]host[:port][/db] or rediss://... (TLS)";
    private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9_.:/-]{0,100}");
    private static final Duration MAX_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration MIN_LEASE = Duration.ofSeconds(1);
    private static final Duration MAX_LEASE = Duration.ofHours(1);

    private SharedSection() {
    }

    static SharedConfig read(ConfigTable root) {
        if (!root.has("shared")) {
            return null;
        }
        ConfigTable t = root.tableOrEmpty("shared");
        URI url = redisUrl(t);
        String prefix = t.string("key_prefix", "llm-gateway:", "up to 100 characters A-Z a-z 0-9 _ . : / -");
        if (prefix != null && !PREFIX.matcher(prefix).matches()) {
            t.problem("key_prefix", "up to 100 characters A-Z a-z 0-9 _ . : / -");
        }
        Duration timeout = t.duration("timeout", Duration.ofMillis(100));
        if (timeout.isZero() || timeout.compareTo(MAX_TIMEOUT) > 0) {
            t.problem("timeout", "a duration from 1ms to 60s");
        }
        SharedConfig.OnUnavailable onUnavailable = t.choice("on_unavailable", SharedConfig.OnUnavailable.LOCAL,
                SharedConfig.OnUnavailable.values());
        Duration lease = t.duration("slot_lease", Duration.ofSeconds(30));
        if (lease.compareTo(MIN_LEASE) < 0 || lease.compareTo(MAX_LEASE) > 0) {
            t.problem("slot_lease", "a duration from 1s to 1h");
        }
        t.reportUnknownKeys();
        // After a reported problem any value keeps the record constructible until the load fails.
        return new SharedConfig(url == null ? URI.create("redis://localhost") : url,
                prefix == null ? "" : prefix, timeout,
                onUnavailable == null ? SharedConfig.OnUnavailable.LOCAL : onUnavailable, lease);
    }

    private static URI redisUrl(ConfigTable t) {
        String text = t.requiredString("redis_url", URL_EXPECTED);
        if (text == null) {
            return null;
        }
        URI url = parse(text);
        if (url == null) {
            t.problem("redis_url", URL_EXPECTED);
        }
        return url;
    }

    /** The URL when it names a Redis as expected, else null. */
    static URI parse(String text) {
        URI url;
        try {
            url = new URI(text);
        } catch (URISyntaxException e) {
            return null;
        }
        boolean schemeOk = "redis".equals(url.getScheme()) || "rediss".equals(url.getScheme());
        boolean hostOk = url.getHost() != null && !url.getHost().isEmpty();
        boolean portOk = url.getPort() == -1 || url.getPort() > 0 && url.getPort() <= 65535;
        String path = url.getPath();
        boolean dbOk = path == null || path.isEmpty() || path.equals("/") || path.matches("/[0-9]{1,9}");
        return schemeOk && hostOk && portOk && dbOk && url.getQuery() == null && url.getFragment() == null ? url
                : null;
    }
}
