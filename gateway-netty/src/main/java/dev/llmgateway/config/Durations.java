package dev.llmgateway.config;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses durations such as "250ms", "1.5s", "5m", "1h" and combinations such as "1m30s". */
final class Durations {
    static final String EXPECTED = "a duration >= 0 such as \"250ms\", \"10s\" or \"1m30s\"";

    // "ms" before "m" so that "5ms" is not read as five minutes followed by garbage.
    private static final Pattern PART = Pattern.compile("(\\d{1,18}(?:\\.\\d{1,9})?)(ms|s|m|h)");
    private static final Map<String, BigDecimal> NANOS_PER_UNIT = Map.of(
            "ms", BigDecimal.valueOf(1_000_000L),
            "s", BigDecimal.valueOf(1_000_000_000L),
            "m", BigDecimal.valueOf(60_000_000_000L),
            "h", BigDecimal.valueOf(3_600_000_000_000L));
    private static final BigDecimal MAX_NANOS = BigDecimal.valueOf(Long.MAX_VALUE);

    private Durations() {
    }

    /** @throws IllegalArgumentException if the text is not a duration or exceeds about 292 years */
    static Duration parse(String text) {
        if (text.isEmpty()) {
            throw new IllegalArgumentException("empty duration");
        }
        Matcher part = PART.matcher(text);
        BigDecimal nanos = BigDecimal.ZERO;
        for (int at = 0; at < text.length(); at = part.end()) {
            part.region(at, text.length());
            if (!part.lookingAt()) {
                throw new IllegalArgumentException("not a duration: " + text);
            }
            nanos = nanos.add(new BigDecimal(part.group(1)).multiply(NANOS_PER_UNIT.get(part.group(2))));
        }
        if (nanos.compareTo(MAX_NANOS) > 0) {
            throw new IllegalArgumentException("duration too long: " + text);
        }
        return Duration.ofNanos(nanos.setScale(0, RoundingMode.DOWN).longValueExact());
    }
}
