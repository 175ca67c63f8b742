package dev.llmgateway.proxy;

import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/** Which upstream answers are worth another attempt, and how long to wait before it. */
final class RetryPolicy {
    static final long BASE_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    /** OpenAI's "you are out of credit" 429: retrying only bills the wait, so it goes to the client as it is. */
    private static final Pattern INSUFFICIENT_QUOTA =
            Pattern.compile("\"(?:code|type)\"\\s*:\\s*\"insufficient_quota\"");
    /** Gemini answers a bad key with a 400, not a 401: its ErrorInfo reason says so. */
    private static final Pattern KEY_INVALID = Pattern.compile("\"reason\"\\s*:\\s*\"API_KEY_INVALID\"");

    private RetryPolicy() {
    }

    /** Overloaded or failing provider (529 is Anthropic's "overloaded"); every other status is the answer. */
    static boolean retryableStatus(int status) {
        return status == 429 || status == 500 || status == 502 || status == 503 || status == 504 || status == 529;
    }

    static boolean insufficientQuota(ByteBuf body) {
        return INSUFFICIENT_QUOTA.matcher(body.toString(StandardCharsets.UTF_8)).find();
    }

    static boolean keyInvalid(ByteBuf body) {
        return KEY_INVALID.matcher(body.toString(StandardCharsets.UTF_8)).find();
    }

    /**
     * Exponential backoff with full jitter (a uniform wait in [0, min(cap, base·2^retry)]): spreads the retries of
     * many clients hit by one outage instead of sending them back in waves.
     *
     * @param retry 0 for the first retry
     */
    static long backoffNanos(int retry, long capNanos) {
        long ceiling = Math.min(capNanos, BASE_DELAY_NANOS << Math.min(retry, 20));
        return ceiling <= 0 ? 0 : ThreadLocalRandom.current().nextLong(ceiling + 1);
    }
}
