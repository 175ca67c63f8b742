package dev.llmgateway.cost;

/**
 * Money as the gateway counts it: whole picodollars (10^-12 USD) in a long. A price in USD per million tokens is,
 * as a number, picodollars per token, so a cost is a sum of whole products: exact, the same on every replica and
 * in every order, with no rounding to drift a budget over millions of requests. A long holds 9.2 million dollars,
 * far above one request's cost or one period's budget (capped at a million).
 */
public final class Usd {
    public static final long PICOS_PER_USD = 1_000_000_000_000L;
    private static final int FRACTION_DIGITS = 12;

    private Usd() {
    }

    public static double toDouble(long picos) {
        return picos / (double) PICOS_PER_USD;
    }

    /** Whole dollars of a non-negative amount. */
    public static long dollars(long picos) {
        return picos / PICOS_PER_USD;
    }

    /** The fraction's digits without trailing zeros (0 for a whole amount), to write after the point. */
    public static long fraction(long picos) {
        long fraction = picos % PICOS_PER_USD;
        while (fraction != 0 && fraction % 10 == 0) {
            fraction /= 10;
        }
        return fraction;
    }

    /** How many digits {@link #fraction} has once zero-padded on the left (1 for a whole amount: ".0"). */
    public static int fractionDigits(long picos) {
        long fraction = picos % PICOS_PER_USD;
        if (fraction == 0) {
            return 1;
        }
        int digits = FRACTION_DIGITS;
        while (fraction % 10 == 0) {
            fraction /= 10;
            digits--;
        }
        return digits;
    }

    /** A non-negative amount as a plain decimal: {@code 0.000415}, {@code 12.5}, {@code 3.0}. */
    public static String format(long picos) {
        String fraction = Long.toString(fraction(picos));
        return dollars(picos) + "." + "0".repeat(fractionDigits(picos) - fraction.length()) + fraction;
    }

    /** a × b + c, held at Long.MAX_VALUE instead of overflowing: a worst case may multiply absurd claims. */
    public static long saturatingMultiplyAdd(long a, long b, long c) {
        long high = Math.multiplyHigh(a, b);
        long product = a * b;
        if (high != 0 || product < 0) {
            return Long.MAX_VALUE;
        }
        long sum = product + c;
        return sum < 0 ? Long.MAX_VALUE : sum;
    }
}
