package dev.llmgateway.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** Reads the {@code [[api_keys]]} entries: the gateway's own client keys. */
final class ApiKeysSection {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private static final String NAME_EXPECTED = "a name of 1 to 64 characters A-Z, a-z, 0-9, _, . or -";
    private static final String MODELS_EXPECTED = "a non-empty list of model globs such as [\"*\"] or [\"gpt-*\"]";

    private ApiKeysSection() {
    }

    /** The enabled keys; at least one must exist. */
    static List<ApiKeyConfig> read(ConfigTable root) {
        Problems problems = root.problems();
        List<ApiKeyConfig> keys = new ArrayList<>();
        Map<String, String> nameOwners = new HashMap<>();
        Map<String, String> secretOwners = new HashMap<>();
        int enabled = 0;
        for (ConfigTable t : root.tableArray("api_keys")) {
            String name = t.requiredString("name", NAME_EXPECTED);
            if (name != null && !NAME.matcher(name).matches()) {
                t.problem("name", NAME_EXPECTED);
                name = null;
            }
            ConfigTable.Secret key = t.secret("key");
            if (key == null && !t.has("key")) {
                t.problem("key", "a non-empty string, unique among keys");
            }
            List<String> models = t.stringList("models", List.of("*"), MODELS_EXPECTED);
            boolean wanted = t.bool("enabled", true);
            t.reportUnknownKeys();

            if (name != null && nameOwners.putIfAbsent(name, t.label()) != null) {
                t.problem("name", "a unique name; " + nameOwners.get(name) + " has it too");
            }
            if (key != null && key.value() != null && secretOwners.putIfAbsent(key.value(), t.label()) != null) {
                problems.add(t.keyLabel("key") + ": duplicates the key of " + secretOwners.get(key.value())
                        + " (expected: a unique key)");
            }
            if (!wanted) {
                continue;
            }
            if (key != null && key.unsetVariable() != null) {
                String named = name == null ? "" : " (" + name + ")";
                problems.warn(t.label() + named + ": disabled because " + key.unsetVariable() + " is not set");
                continue;
            }
            enabled++;
            if (name != null && key != null) {
                keys.add(new ApiKeyConfig(name, key.value(), models));
            }
        }
        if (enabled == 0) {
            problems.add("api_keys: no enabled key (expected: at least one [[api_keys]] entry)");
        }
        return keys;
    }
}
