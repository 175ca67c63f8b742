package dev.llmgateway.metrics;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/** A scrape parsed into samples, looked up by name and labels in any order. */
final class ScrapeText {
    final String text;
    private final Map<String, Double> samples = new HashMap<>();

    private ScrapeText(String text) {
        this.text = text;
        for (String line : text.split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int brace = line.indexOf('{');
            int space = line.lastIndexOf(' ');
            String name = brace >= 0 ? line.substring(0, brace) : line.substring(0, space);
            Map<String, String> labels = brace >= 0 ? parseLabels(line.substring(brace + 1, line.lastIndexOf('}')))
                    : Map.of();
            samples.put(key(name, new TreeMap<>(labels)), Double.parseDouble(line.substring(space + 1)));
        }
    }

    /** Scrapes {@code metrics} as 0.0.4 text, releasing the buffer. */
    static ScrapeText of(GatewayMetrics metrics) {
        return of(metrics, null);
    }

    static ScrapeText of(GatewayMetrics metrics, String accept) {
        ByteBuf buf = metrics.scrape(UnpooledByteBufAllocator.DEFAULT, accept);
        try {
            return new ScrapeText(buf.toString(StandardCharsets.UTF_8));
        } finally {
            buf.release();
        }
    }

    /** The sample's value, or null when there is no such sample. {@code labels}: name, value, name, value… */
    Double value(String name, String... labels) {
        Map<String, String> sorted = new TreeMap<>();
        for (int i = 0; i < labels.length; i += 2) {
            sorted.put(labels[i], labels[i + 1]);
        }
        return samples.get(key(name, sorted));
    }

    boolean hasSampleNamed(String name) {
        return samples.keySet().stream().anyMatch(k -> k.equals(name) || k.startsWith(name + "{"));
    }

    private static String key(String name, Map<String, String> sortedLabels) {
        return sortedLabels.isEmpty() ? name : name + sortedLabels;
    }

    private static Map<String, String> parseLabels(String s) {
        Map<String, String> labels = new HashMap<>();
        int i = 0;
        while (i < s.length()) {
            int eq = s.indexOf('=', i);
            String name = s.substring(i, eq);
            StringBuilder value = new StringBuilder();
            int j = eq + 2; // skip ="
            while (s.charAt(j) != '"') {
                if (s.charAt(j) == '\\') {
                    j++;
                }
                value.append(s.charAt(j++));
            }
            labels.put(name, value.toString());
            i = j + 1;
            if (i < s.length() && s.charAt(i) == ',') {
                i++;
            }
        }
        return labels;
    }
}
