package dev.llmgateway.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Applies {@code LLM_GATEWAY__A__B[__C]} environment variables to the parsed document: each replaces the scalar
 * setting {@code a.b[.c]} (segments lower-cased) with an {@link OverrideValue} that the typed reads convert.
 * Only server, tracing and shared-state settings may be set without their table in the file, so an override
 * cannot conjure up a provider or model that the file does not declare (a deployment turns on shared limits with
 * {@code LLM_GATEWAY__SHARED__REDIS_URL} alone).
 */
final class Overrides {
    static final String PREFIX = "LLM_GATEWAY__";

    private static final List<String> SERVER_KEYS = List.of("host", "port", "transport", "io_threads",
            "max_request_bytes", "max_header_bytes", "max_initial_line_bytes", "header_read_timeout",
            "body_read_timeout", "idle_timeout", "drain_timeout", "max_connections", "config_reload", "warmup_requests",
            "warmup_timeout", "tls_engine");
    private static final List<String> ROUTING_KEYS = List.of("default_provider");
    private static final List<String> PROVIDER_KEYS = List.of("type", "base_url", "api_key", "max_connections",
            "connect_timeout", "pool_idle_timeout", "tokens", "token_delay");
    private static final List<String> MODEL_KEYS = List.of("provider", "api_model");
    /** Where spans go and the exporter's other settings come from the standard OTEL_* variables. */
    private static final List<String> TRACING_KEYS = List.of("enabled", "sample_ratio", "capture_content");
    private static final List<String> SHARED_KEYS = List.of("redis_url", "key_prefix", "timeout", "on_unavailable",
            "slot_lease");

    private Overrides() {
    }

    static void apply(Map<String, Object> root, Map<String, String> env, Problems problems) {
        // Sorted, so that problems come in a stable order whatever map the environment is.
        new TreeMap<>(env).forEach((variable, text) -> {
            if (variable.startsWith(PREFIX)) {
                applyOne(root, variable, text, problems);
            }
        });
    }

    private static void applyOne(Map<String, Object> root, String variable, String text, Problems problems) {
        String[] path = variable.substring(PREFIX.length()).toLowerCase(Locale.ROOT).split("__", -1);
        String section = path[0];
        boolean named = section.equals("providers") || section.equals("models");
        List<String> keys = switch (section) {
            case "server" -> SERVER_KEYS;
            case "routing" -> ROUTING_KEYS;
            case "providers" -> PROVIDER_KEYS;
            case "models" -> MODEL_KEYS;
            case "tracing" -> TRACING_KEYS;
            case "shared" -> SHARED_KEYS;
            default -> null;
        };
        String key = path[path.length - 1];
        if (keys == null || path.length != (named ? 3 : 2) || !keys.contains(key)) {
            problems.add(variable + ": unknown setting " + String.join(".", path)
                    + " (expected one of: " + settings(section, keys) + ")");
            return;
        }
        if (section.equals("server") || section.equals("tracing") || section.equals("shared")) {
            root.putIfAbsent(section, new LinkedHashMap<String, Object>());
        }
        Map<String, Object> table = named ? namedTable(root.get(section), path[1]) : table(root.get(section));
        if (table == null) {
            String name = named ? section + "." + path[1] : section;
            problems.add(variable + ": [" + name + "] is not in the config file"
                    + " (expected: an override of a setting whose table the file declares)");
            return;
        }
        if (key.equals("api_key")) {
            // An overriding key replaces the file's keys, whichever form they were written in.
            table.remove("api_keys");
        }
        table.put(key, new OverrideValue(variable, text));
    }

    /** Names are matched ignoring case because the variable's segment has lost the original case. */
    private static Map<String, Object> namedTable(Object section, String name) {
        Map<String, Object> tables = table(section);
        if (tables != null) {
            for (Map.Entry<String, Object> entry : tables.entrySet()) {
                if (entry.getKey().toLowerCase(Locale.ROOT).equals(name)) {
                    return table(entry.getValue());
                }
            }
        }
        return null;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> table(Object value) {
        return value instanceof Map ? (Map<String, Object>) value : null;
    }

    private static String settings(String section, List<String> keys) {
        if (keys == null) {
            return "server.<key>, routing.default_provider, providers.<name>.<key>, models.<alias>.<key>, "
                    + "tracing.<key>, shared.<key>";
        }
        String prefix = switch (section) {
            case "providers" -> "providers.<name>.";
            case "models" -> "models.<alias>.";
            default -> section + ".";
        };
        return String.join(", ", keys.stream().map(k -> prefix + k).toList());
    }
}
