package dev.llmgateway.dialect;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

class UpstreamErrorsTest {
    @Test
    void retryAfterMsComesBeforeRetryAfterSeconds() {
        assertEquals(TimeUnit.MILLISECONDS.toNanos(1500), UpstreamErrors.retryAfterNanos(new DefaultHttpHeaders()
                .set("retry-after-ms", "1500").set("retry-after", "2")));
        assertEquals(TimeUnit.SECONDS.toNanos(2), UpstreamErrors.retryAfterNanos(new DefaultHttpHeaders()
                .set("retry-after-ms", "soon").set("retry-after", "2")));
        assertEquals(-1, UpstreamErrors.retryAfterNanos(new DefaultHttpHeaders()
                .set("retry-after", "Wed, 21 Oct 2015 07:28:00 GMT")));
        assertEquals(-1, UpstreamErrors.retryAfterNanos(new DefaultHttpHeaders()));
    }

    @Test
    void clientRetryAfterIsWholeSecondsRoundedUp() {
        assertEquals(2, UpstreamErrors.retryAfterSeconds(new DefaultHttpHeaders().set("retry-after-ms", "1500")));
        assertEquals(46, UpstreamErrors.retryAfterSeconds(new DefaultHttpHeaders().set("retry-after", "46")));
        assertEquals(-1, UpstreamErrors.retryAfterSeconds(new DefaultHttpHeaders()));
    }
}
