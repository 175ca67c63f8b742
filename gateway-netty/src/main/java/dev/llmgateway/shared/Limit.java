package dev.llmgateway.shared;

/** Which of a key's limits refused a request, numbered as {@code admit.lua} answers (in the order it checks them). */
public enum Limit {
    TOKEN_BUDGET, TOKENS_PER_MINUTE, CONCURRENCY, REQUESTS_PER_MINUTE;

    private static final Limit[] BY_NUMBER = values();

    /** The limit the script names by {@code number} (1 to 4). */
    static Limit of(long number) {
        if (number < 1 || number > BY_NUMBER.length) {
            throw new IllegalArgumentException("no limit numbered " + number);
        }
        return BY_NUMBER[(int) number - 1];
    }
}
