package dev.llmgateway.config;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Typed reads from one TOML table. Every read substitutes ${VAR}, converts override strings, checks the type
 * and reports a problem naming the key (or the overriding variable) on failure. The table remembers the keys
 * asked for, so that {@link #reportUnknownKeys()} can flag typos and list what would have been accepted.
 * Failed reads return the default or null; the caller need not report again because the load fails anyway.
 */
final class ConfigTable {
    /** Keys whose values are secrets: never shown, whatever table they are in. */
    private static final Set<String> SECRET_KEYS = Set.of("key", "api_key", "api_keys", "redis_url");
    private static final String REDACTED = "\"<redacted>\"";

    /** A secret after substitution: {@code value}, or the {@code unsetVariable} it needed. */
    record Secret(String value, String unsetVariable) {
    }

    private final String label;
    private final Map<String, Object> entries;
    private final Map<String, String> env;
    private final Problems problems;
    private final Set<String> known = new LinkedHashSet<>();
    private final Set<String> forbidden = new HashSet<>();

    ConfigTable(String label, Map<String, Object> entries, Map<String, String> env, Problems problems) {
        this.label = label;
        this.entries = entries;
        this.env = env;
        this.problems = problems;
    }

    String label() {
        return label;
    }

    Problems problems() {
        return problems;
    }

    /** An environment variable, for settings that fall back to a standard variable (the {@code OTEL_*} ones). */
    String variable(String name) {
        return env.get(name);
    }

    /** The value as written (or an override's), for a key whose type a caller checks itself. */
    Object raw(String key) {
        known.add(key);
        return entries.get(key);
    }

    boolean has(String key) {
        known.add(key);
        return entries.containsKey(key);
    }

    /** The label problems use for a key of this table: {@code server.port}, {@code models."gpt-4o".provider}. */
    String keyLabel(String key) {
        return child(label, TomlText.key(key));
    }

    /** Reports the key's current value as not what was {@code expected} ("missing" if absent). */
    void problem(String key, String expected) {
        Object raw = entries.get(key);
        String where = raw instanceof OverrideValue o ? o.variable() : keyLabel(key);
        problems.add(where, show(key, raw), expected);
    }

    /** A string after substitution; {@code def} when absent, null after a problem. */
    String string(String key, String def, String expected) {
        known.add(key);
        Object raw = entries.get(key);
        if (raw == null) {
            return def;
        }
        if (raw instanceof OverrideValue o) {
            return o.text();
        }
        if (!(raw instanceof String text)) {
            problem(key, expected);
            return null;
        }
        EnvSubstitution.Result r = EnvSubstitution.apply(text, env);
        if (r.malformed()) {
            problem(key, EnvSubstitution.EXPECTED_SYNTAX);
        } else if (r.unsetVariable() != null) {
            problem(key, unsetExpected(r.unsetVariable()));
        }
        return r.value();
    }

    /** Like {@link #string} but reports a missing key. */
    String requiredString(String key, String expected) {
        if (!has(key)) {
            problem(key, expected);
            return null;
        }
        return string(key, null, expected);
    }

    /** A lower-case enum constant name such as "io_uring"; {@code def} when absent, null after a problem. */
    <E extends Enum<E>> E choice(String key, E def, E[] values) {
        String expected = "one of " + String.join(", ", TomlText.names(values));
        String text = string(key, null, expected);
        if (text == null) {
            return has(key) ? null : def;
        }
        int index = TomlText.names(values).indexOf(text);
        if (index >= 0) {
            return values[index];
        }
        problem(key, expected);
        return null;
    }

    long integer(String key, long def, long min, long max, String expected) {
        known.add(key);
        Object raw = entries.get(key);
        if (raw == null) {
            return def;
        }
        Long value = raw instanceof Long l ? l : raw instanceof OverrideValue o ? parseLong(o.text().trim()) : null;
        if (value == null || value < min || value > max) {
            problem(key, expected);
            return def;
        }
        return value;
    }

    /**
     * A number from 0 to {@code max} with at most {@code decimals} decimal places, as a whole count of
     * 10^-decimals units (2.5 with 6 decimals is 2,500,000); {@code def} when absent. Exact: a price or budget
     * becomes a whole number once, here, and every sum made of it is exact.
     */
    long scaled(String key, long def, int decimals, BigDecimal max, String expected) {
        known.add(key);
        Object raw = entries.get(key);
        if (raw == null) {
            return def;
        }
        BigDecimal value = null;
        try {
            value = raw instanceof Long l ? BigDecimal.valueOf(l)
                    : raw instanceof Double d ? BigDecimal.valueOf(d) // the shortest decimal that is the double
                    : raw instanceof OverrideValue o ? new BigDecimal(o.text().trim()) : null;
        } catch (NumberFormatException e) {
            value = null; // reported below
        }
        if (value == null || value.signum() < 0 || value.compareTo(max) > 0
                || value.stripTrailingZeros().scale() > decimals) {
            problem(key, expected);
            return def;
        }
        return value.movePointRight(decimals).longValueExact();
    }

    /** A number from 0 (exclusive) to 1 (inclusive), such as an error ratio. */
    double ratio(String key, double def) {
        known.add(key);
        Object raw = entries.get(key);
        if (raw == null) {
            return def;
        }
        Double value = raw instanceof Number n ? Double.valueOf(n.doubleValue()) : null;
        if (raw instanceof OverrideValue o) {
            try {
                value = Double.parseDouble(o.text().trim());
            } catch (NumberFormatException e) {
                value = null; // reported below
            }
        }
        if (value == null || !(value > 0 && value <= 1)) {
            problem(key, "a number above 0 and at most 1, such as 0.5");
            return def;
        }
        return value;
    }

    boolean bool(String key, boolean def) {
        known.add(key);
        Object raw = entries.get(key);
        if (raw == null) {
            return def;
        }
        if (raw instanceof Boolean b) {
            return b;
        }
        if (raw instanceof OverrideValue o && (o.text().trim().equals("true") || o.text().trim().equals("false"))) {
            return o.text().trim().equals("true");
        }
        problem(key, "true or false");
        return def;
    }

    Duration duration(String key, Duration def) {
        String text = string(key, null, Durations.EXPECTED);
        if (text == null) {
            return def;
        }
        try {
            return Durations.parse(text);
        } catch (IllegalArgumentException e) {
            problem(key, Durations.EXPECTED);
            return def;
        }
    }

    long byteSize(String key, long def, long min, long max) {
        String expected = ByteSizes.expected(min, max);
        if (entries.get(key) instanceof Long) {
            return integer(key, def, min, max, expected);
        }
        String text = string(key, null, expected);
        if (text == null) {
            return def;
        }
        try {
            long size = ByteSizes.parse(text);
            if (size >= min && size <= max) {
                return size;
            }
        } catch (IllegalArgumentException e) {
            // reported below, like an out-of-range size
        }
        problem(key, expected);
        return def;
    }

    /** A non-empty list of non-empty strings after substitution; {@code def} when absent. */
    List<String> stringList(String key, List<String> def, String expected) {
        List<?> list = list(key, expected);
        if (list == null) {
            return def;
        }
        if (list.isEmpty()) {
            problem(key, expected);
        }
        List<String> values = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            String where = keyLabel(key) + "[" + i + "]";
            Object element = list.get(i);
            EnvSubstitution.Result r = element instanceof String s ? EnvSubstitution.apply(s, env) : null;
            if (r == null || (r.value() != null && r.value().isEmpty())) {
                problems.add(where, show(key, element), expected);
            } else if (r.malformed()) {
                problems.add(where, show(key, element), EnvSubstitution.EXPECTED_SYNTAX);
            } else if (r.unsetVariable() != null) {
                problems.add(where, show(key, element), unsetExpected(r.unsetVariable()));
            } else {
                values.add(r.value());
            }
        }
        return values;
    }

    /** A secret string; null when absent or after a problem. An unset variable is left to the caller. */
    Secret secret(String key) {
        known.add(key);
        Object raw = entries.get(key);
        if (raw instanceof OverrideValue o) {
            return nonEmptySecret(o.variable(), new Secret(o.text(), null));
        }
        return raw == null ? null : secretOf(keyLabel(key), raw);
    }

    /** The secrets of a string array; null when absent or not an array. Bad elements are reported and skipped. */
    List<Secret> secretList(String key, String expected) {
        List<?> list = list(key, expected);
        if (list == null) {
            return null;
        }
        List<Secret> secrets = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            Secret secret = secretOf(keyLabel(key) + "[" + i + "]", list.get(i));
            if (secret != null) {
                secrets.add(secret);
            }
        }
        return secrets;
    }

    private Secret secretOf(String where, Object raw) {
        if (!(raw instanceof String text)) {
            problems.add(where, REDACTED, "a non-empty string");
            return null;
        }
        EnvSubstitution.Result r = EnvSubstitution.apply(text, env);
        if (r.malformed()) {
            problems.add(where, REDACTED, EnvSubstitution.EXPECTED_SYNTAX);
            return null;
        }
        return nonEmptySecret(where, new Secret(r.value(), r.unsetVariable()));
    }

    private Secret nonEmptySecret(String where, Secret secret) {
        if (secret.value() != null && secret.value().isEmpty()) {
            problems.add(where, "\"\"", "a non-empty string");
            return null;
        }
        return secret;
    }

    /** A sub-table; an empty one when absent or after a problem, so callers can always read defaults. */
    ConfigTable tableOrEmpty(String key) {
        known.add(key);
        Object raw = entries.get(key);
        if (raw != null && !(raw instanceof Map)) {
            problem(key, "a table such as [" + keyLabel(key) + "]");
        }
        return new ConfigTable(keyLabel(key), raw instanceof Map ? asMap(raw) : new LinkedHashMap<>(), env, problems);
    }

    /** An array of tables such as {@code [[api_keys]]}; elements are labelled {@code api_keys[0]}. */
    List<ConfigTable> tableArray(String key) {
        String expected = "an array of tables such as [[" + keyLabel(key) + "]]";
        List<?> list = list(key, expected);
        List<ConfigTable> tables = new ArrayList<>();
        for (int i = 0; list != null && i < list.size(); i++) {
            String where = keyLabel(key) + "[" + i + "]";
            if (list.get(i) instanceof Map) {
                tables.add(new ConfigTable(where, asMap(list.get(i)), env, problems));
            } else {
                problems.add(where, show(key, list.get(i)), expected);
            }
        }
        return tables;
    }

    /**
     * The sub-tables of a table of named tables ({@code [providers.openai]}), in file order.
     * {@code quoteNames} labels every name quoted, for free-form names such as model aliases.
     */
    Map<String, ConfigTable> namedTables(String key, boolean quoteNames) {
        ConfigTable parent = tableOrEmpty(key);
        Map<String, ConfigTable> tables = new LinkedHashMap<>();
        for (Map.Entry<String, Object> entry : parent.entries.entrySet()) {
            String name = entry.getKey();
            String where = quoteNames ? child(parent.label, TomlText.quote(name)) : parent.keyLabel(name);
            if (entry.getValue() instanceof Map) {
                tables.put(name, new ConfigTable(where, asMap(entry.getValue()), env, problems));
            } else {
                problems.add(where, show(name, entry.getValue()), "a table such as [" + where + "]");
            }
        }
        return tables;
    }

    /** The keys present, in file order: for tables whose keys are names, such as {@code provider_keys}. */
    List<String> keys() {
        return List.copyOf(entries.keySet());
    }

    /** Reports the key if present; it is then not listed among the keys this table accepts. */
    void forbid(String key, String expected) {
        forbidden.add(key);
        if (entries.containsKey(key)) {
            problem(key, expected);
        }
    }

    /** Accepts keys without reading them, when a bad setting (an unknown type) makes their rules unknowable. */
    void accept(String... keys) {
        known.addAll(List.of(keys));
    }

    void reportUnknownKeys() {
        for (String key : entries.keySet()) {
            if (!known.contains(key) && !forbidden.contains(key)) {
                problems.add(keyLabel(key) + ": unknown key (expected one of: " + String.join(", ", known) + ")");
            }
        }
    }

    private List<?> list(String key, String expected) {
        known.add(key);
        Object raw = entries.get(key);
        if (raw != null && !(raw instanceof List)) {
            problem(key, expected);
        }
        return raw instanceof List<?> list ? list : null;
    }

    private String show(String key, Object raw) {
        if (raw == null) {
            return "missing";
        }
        if (SECRET_KEYS.contains(key)) {
            return REDACTED;
        }
        if (raw instanceof OverrideValue o) {
            return TomlText.quote(o.text());
        }
        if (raw instanceof String text) {
            String value = EnvSubstitution.apply(text, env).value();
            String written = TomlText.quote(text);
            return value == null || value.equals(text) ? written : written + " resolved to " + TomlText.quote(value);
        }
        if (raw instanceof List<?> list) {
            List<String> shown = new ArrayList<>();
            list.forEach(element -> shown.add(show(key, element)));
            return "[" + String.join(", ", shown) + "]";
        }
        return raw instanceof Map ? "a table" : String.valueOf(raw);
    }

    private static String unsetExpected(String variable) {
        return variable + " to be set, or a default as in ${" + variable + ":-value}";
    }

    private static String child(String parent, String segment) {
        return parent.isEmpty() ? segment : parent + "." + segment;
    }

    private static Long parseLong(String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(Object raw) {
        return (Map<String, Object>) raw;
    }
}
