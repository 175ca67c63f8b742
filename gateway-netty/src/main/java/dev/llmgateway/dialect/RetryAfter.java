package dev.llmgateway.dialect;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;

import java.util.concurrent.TimeUnit;

/**
 * The wait a provider asks for before another attempt, read from its response headers: by the retry logic
 * (how long to rest a key) and by the error readers (the {@code Retry-After} a client of another dialect gets).
 */
public final class RetryAfter {
    private RetryAfter() {
    }

    /**
     * {@code retry-after-ms} (OpenAI, finer) before {@code retry-after} in seconds; -1 when neither is there or
     * readable (an HTTP-date is ignored: providers send seconds).
     */
    public static long nanos(HttpHeaders headers) {
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
                    return TimeUnit.SECONDS.toNanos(value);
                }
            } catch (NumberFormatException ignored) {
                // not seconds: treated as absent
            }
        }
        return -1;
    }

    /** {@link #nanos} in whole seconds, rounded up (a client told 0 s would retry at once); -1 when absent. */
    public static long seconds(HttpHeaders headers) {
        long nanos = nanos(headers);
        return nanos < 0 ? -1 : (nanos + TimeUnit.SECONDS.toNanos(1) - 1) / TimeUnit.SECONDS.toNanos(1);
    }
}
