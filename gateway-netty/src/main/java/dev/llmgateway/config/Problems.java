package dev.llmgateway.config;

import java.util.ArrayList;
import java.util.List;

/** Collects problems and warnings so that one run reports all of them, not only the first. */
final class Problems {
    private final List<String> problems = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();

    /** Adds {@code label: shown (expected: expected)}, the shape every value problem has. */
    void add(String label, String shown, String expected) {
        add(label + ": " + shown + " (expected: " + expected + ")");
    }

    void add(String problem) {
        problems.add(problem);
    }

    void warn(String warning) {
        warnings.add(warning);
    }

    List<String> warnings() {
        return List.copyOf(warnings);
    }

    void throwIfAny() throws ConfigException {
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
    }
}
