package dev.llmgateway.dialect;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RetryAfterTest {
    @Test
    void retryAfterMsComesBeforeRetryAfterSeconds() {
        assertEquals(TimeUnit.MILLISECONDS.toNanos(1500), RetryAfter.nanos(new DefaultHttpHeaders()
                .set("retry-after-ms", "1500").set("retry-after", "2")));
        assertEquals(TimeUnit.SECONDS.toNanos(2), RetryAfter.nanos(new DefaultHttpHeaders()
                .set("retry-after-ms", "soon").set("retry-after", "2")));
        assertEquals(-1, RetryAfter.nanos(new DefaultHttpHeaders()
                .set("retry-after", "Wed, 21 Oct 2015 07:28:00 GMT")));
        assertEquals(-1, RetryAfter.nanos(new DefaultHttpHeaders()));
    }

    @Test
    void secondsRoundUpSoAClientNeverRetriesEarly() {
        assertEquals(2, RetryAfter.seconds(new DefaultHttpHeaders().set("retry-after-ms", "1500")));
        assertEquals(0, RetryAfter.seconds(new DefaultHttpHeaders().set("retry-after-ms", "0")));
        assertEquals(7, RetryAfter.seconds(new DefaultHttpHeaders().set("retry-after", "7")));
        assertEquals(-1, RetryAfter.seconds(new DefaultHttpHeaders()));
    }
}
