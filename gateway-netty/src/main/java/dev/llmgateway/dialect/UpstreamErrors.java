package dev.llmgateway.dialect;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;

/** What every dialect's error reader shares: OpenAI's error type for a status, retry headers, non-JSON bodies. */
public final class UpstreamErrors {
    private UpstreamErrors() {
    }

    /** OpenAI's {@code error.type} for a status it would send. */
    public static String openAiType(int status) {
        return switch (status) {
            case 403 -> "permission_error";
            case 429 -> "requests";
            default -> status >= 500 ? "server_error" : "invalid_request_error";
        };
    }

    /**
     * The client's Retry-After in whole seconds, rounded up, from {@code retry-after-ms} or {@code retry-after};
     * -1 when neither is there or readable.
     */
    public static long retryAfterSeconds(HttpHeaders headers) {
        long nanos = retryAfterNanos(headers);
        return nanos < 0 ? -1 : (nanos + 999_999_999) / 1_000_000_000;
    }

    /**
     * The wait a provider asked for: {@code retry-after-ms} (OpenAI, finer) before {@code retry-after} in
     * seconds; -1 when neither is there or readable (an HTTP-date is ignored: providers send seconds).
     */
    public static long retryAfterNanos(HttpHeaders headers) {
        String millis = headers.get("retry-after-ms");
        if (millis != null) {
            try {
                double value = Double.parseDouble(millis.trim());
                if (value >= 0) {
                    return (long) (value * 1_000_000);
                }
            } catch (NumberFormatException ignored) {
                // fall through to retry-after
            }
        }
        String seconds = headers.get(HttpHeaderNames.RETRY_AFTER);
        if (seconds != null) {
            try {
                long value = Long.parseLong(seconds.trim());
                if (value >= 0) {
                    return value * 1_000_000_000L;
                }
            } catch (NumberFormatException ignored) {
                // not seconds: treated as absent
            }
        }
        return -1;
    }

    /** A provider error whose body is not the JSON its API documents (an edge proxy's HTML page, say). */
    public static ApiError notJson(int status, String provider, long retryAfterSeconds) {
        return new ApiError(HttpResponseStatus.valueOf(status), openAiType(status), "upstream_http_" + status, null,
                "The " + provider + " provider answered HTTP " + status + " with a body that is not JSON.",
                retryAfterSeconds);
    }
}
