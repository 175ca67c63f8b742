package dev.llmgateway.exchange;

import java.util.List;

/**
 * A model-name pattern where {@code *} matches any run of characters ({@code gpt-*}, {@code *-mini}, {@code *}).
 * Used by routing rules and by each key's model allow-list.
 */
public final class ModelGlob {
    private final String[] parts;
    private final boolean anchoredStart;
    private final boolean anchoredEnd;

    private ModelGlob(String pattern) {
        this.parts = pattern.split("\\*", -1);
        this.anchoredStart = !pattern.startsWith("*");
        this.anchoredEnd = !pattern.endsWith("*");
    }

    public static ModelGlob of(String pattern) {
        return new ModelGlob(pattern);
    }

    public static boolean anyMatches(List<ModelGlob> globs, String model) {
        for (ModelGlob glob : globs) {
            if (glob.matches(model)) {
                return true;
            }
        }
        return false;
    }

    public boolean matches(String model) {
        if (parts.length == 1) {
            return model.equals(parts[0]);
        }
        int at = 0;
        int last = parts.length - 1;
        for (int i = 0; i <= last; i++) {
            String part = parts[i];
            if (part.isEmpty()) {
                continue;
            }
            if (i == 0 && anchoredStart) {
                if (!model.startsWith(part)) {
                    return false;
                }
                at = part.length();
            } else if (i == last && anchoredEnd) {
                return model.length() - part.length() >= at && model.endsWith(part);
            } else {
                int found = model.indexOf(part, at);
                if (found < 0) {
                    return false;
                }
                at = found + part.length();
            }
        }
        return true;
    }
}
