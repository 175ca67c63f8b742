package dev.llmgateway.config;

import java.util.List;
import java.util.Objects;

/** A client key of the gateway and the model globs it may use. */
public record ApiKeyConfig(String name, String key, List<String> models) {
    public ApiKeyConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(key, "key");
        models = List.copyOf(models);
    }

    /** Leaves the key out so that logging a config never leaks it. */
    @Override
    public String toString() {
        return "ApiKeyConfig[name=" + name + ", key=<redacted>, models=" + models + "]";
    }
}
