package dev.llmgateway.config;

import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses byte sizes: a plain count, or a count with a unit (B, KB, MB, GB, KiB, MiB, GiB; any case). */
final class ByteSizes {
    private static final Pattern SIZE = Pattern.compile("(\\d{1,19})\\s*([A-Za-z]*)");
    private static final Map<String, Long> UNITS = Map.of(
            "", 1L, "b", 1L,
            "kb", 1_000L, "mb", 1_000_000L, "gb", 1_000_000_000L,
            "kib", 1L << 10, "mib", 1L << 20, "gib", 1L << 30);

    private ByteSizes() {
    }

    /** The expected-value text for a size setting with the given bounds. */
    static String expected(long min, long max) {
        String range = max == Long.MAX_VALUE ? "of at least " + min : "from " + min + " to " + max;
        return "a byte size " + range + ", as an integer or a string such as \"512KiB\" or \"10MB\"";
    }

    /** @throws IllegalArgumentException if the text is not a size or does not fit in a long */
    static long parse(String text) {
        Matcher m = SIZE.matcher(text.trim());
        Long unit = m.matches() ? UNITS.get(m.group(2).toLowerCase(Locale.ROOT)) : null;
        if (unit == null) {
            throw new IllegalArgumentException("not a size: " + text);
        }
        try {
            return Math.multiplyExact(Long.parseLong(m.group(1)), unit);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("size too large: " + text, e);
        }
    }
}
