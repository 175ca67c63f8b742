package dev.llmgateway.testutil;

import java.util.LinkedHashMap;
import java.util.Map;

/** Reads sample values out of a Prometheus text exposition. */
public final class PrometheusText {
    private PrometheusText() {
    }

    /**
     * The value of the sample {@code name} whose labels include every given pair ({@code "k", "v", ...}), summed
     * over the samples that match; 0 when none does.
     */
    public static double value(String exposition, String name, String... labelPairs) {
        double sum = 0;
        for (String line : exposition.split("\n")) {
            if (line.startsWith("#") || !(line.startsWith(name + "{") || line.startsWith(name + " "))) {
                continue;
            }
            Map<String, String> labels = labels(line);
            boolean matches = true;
            for (int i = 0; i < labelPairs.length; i += 2) {
                matches &= labelPairs[i + 1].equals(labels.get(labelPairs[i]));
            }
            if (matches) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    private static Map<String, String> labels(String line) {
        Map<String, String> labels = new LinkedHashMap<>();
        int open = line.indexOf('{');
        if (open < 0) {
            return labels;
        }
        String body = line.substring(open + 1, line.lastIndexOf('}'));
        for (String pair : body.split("\",")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                labels.put(pair.substring(0, eq), pair.substring(eq + 2).replaceAll("\"$", ""));
            }
        }
        return labels;
    }
}
