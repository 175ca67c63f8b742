package dev.llmgateway.accesslog;

import java.util.Locale;

/** How a request ended, as the access log and the stream-outcome metric report it. */
public enum Outcome {
    COMPLETED,
    CANCELLED_BY_CLIENT,
    UPSTREAM_ERROR,
    TIMEOUT,
    /** Still running when a graceful drain reached drain_timeout: ended with a {@code draining} error. */
    DRAINED,
    /** A gateway-made 4xx/5xx before any upstream call. */
    REJECTED;

    // Computed once: label() runs for every finished request.
    private final String label = name().toLowerCase(Locale.ROOT);

    /** The lower-case name used in log lines and metric labels, e.g. {@code cancelled_by_client}. */
    public String label() {
        return label;
    }
}
