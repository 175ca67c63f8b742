package dev.llmgateway.proxy;

import dev.llmgateway.testutil.Fixtures;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RetryPolicyTest {
    @Test
    void retriesOverloadAndServerErrorsOnly() {
        for (int status : new int[] {429, 500, 502, 503, 504, 529}) {
            assertTrue(RetryPolicy.retryableStatus(status), String.valueOf(status));
        }
        for (int status : new int[] {200, 400, 401, 403, 404, 408, 501}) {
            assertFalse(RetryPolicy.retryableStatus(status), String.valueOf(status));
        }
    }

    @Test
    void backoffIsJitteredUnderAnExponentialCeilingAndTheCap() {
        long cap = TimeUnit.SECONDS.toNanos(5);
        for (int i = 0; i < 1000; i++) {
            assertTrue(RetryPolicy.backoffNanos(0, cap) <= RetryPolicy.BASE_DELAY_NANOS);
            assertTrue(RetryPolicy.backoffNanos(2, cap) <= 4 * RetryPolicy.BASE_DELAY_NANOS);
            assertTrue(RetryPolicy.backoffNanos(40, cap) <= cap);
        }
    }

    @Test
    void insufficientQuotaIsToldFromAPlainRateLimit() {
        ByteBuf quota = Unpooled.wrappedBuffer(Fixtures.bytes("openai/error-429-insufficient-quota.json"));
        ByteBuf rate = Unpooled.wrappedBuffer(Fixtures.bytes("openai/error-429-rate-limit.json"));
        assertTrue(RetryPolicy.insufficientQuota(quota));
        assertFalse(RetryPolicy.insufficientQuota(rate));
        quota.release();
        rate.release();
    }
}
