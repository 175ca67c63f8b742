package dev.llmgateway.config;

import java.time.Duration;
import java.util.Objects;

/**
 * A spending cap in US dollars, on a gateway key or a team.
 *
 * @param limitPicos the cap in picodollars (10^-12 USD), the unit every cost is counted in
 * @param period     the UTC calendar day or month, or a rolling window
 * @param mode       what a request whose worst case no longer fits meets
 */
public record BudgetConfig(long limitPicos, Period period, Mode mode) {
    public BudgetConfig {
        Objects.requireNonNull(period, "period");
        Objects.requireNonNull(mode, "mode");
    }

    /** Refuse what might not fit ({@code strict}), or admit while anything is left ({@code soft}). */
    public enum Mode { STRICT, SOFT }

    /**
     * The stretch of time a budget covers: a UTC calendar day or month (the spend starts again at its end), or a
     * rolling window of {@code window} ending now.
     */
    public record Period(Kind kind, Duration window) {
        public static final Period DAY = new Period(Kind.DAY, null);
        public static final Period MONTH = new Period(Kind.MONTH, null);

        public enum Kind { DAY, MONTH, ROLLING }

        public Period {
            Objects.requireNonNull(kind, "kind");
            if ((kind == Kind.ROLLING) != (window != null)) {
                throw new IllegalArgumentException("a rolling period, and only one, has a window");
            }
        }

        /** As written in the config: {@code day}, {@code month} or the window. */
        @Override
        public String toString() {
            return kind == Kind.ROLLING ? "rolling " + window : kind.name().toLowerCase();
        }
    }
}
