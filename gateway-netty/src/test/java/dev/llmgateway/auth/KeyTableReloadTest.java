package dev.llmgateway.auth;

import dev.llmgateway.config.ApiKeyConfig;
import dev.llmgateway.config.KeyLimits;
import dev.llmgateway.config.KeyLimits.BudgetPeriod;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/** A reloaded key table hands each key's usage on by name, whatever the key's secret or limits become. */
class KeyTableReloadTest {
    private static ApiKeyConfig key(String name, String secret, KeyLimits limits) {
        return new ApiKeyConfig(name, secret, List.of("*"), limits, Map.of());
    }

    private static KeyLimits rpm(long requestsPerMinute) {
        return new KeyLimits(requestsPerMinute, 0, 0, 0, BudgetPeriod.DAY);
    }

    @Test
    void usageFollowsTheKeyNameAcrossTables() {
        KeyTable first = new KeyTable(List.of(key("app", "secret-1", rpm(1)), key("other", "secret-2", rpm(1))));
        assertNull(first.find("secret-1").limiter().admit());
        assertNull(first.find("secret-2").limiter().admit());

        KeyTable second = new KeyTable(List.of(key("app", "rotated-secret", rpm(1)),
                key("renamed", "secret-2", rpm(1))), first);
        assertNotNull(second.find("rotated-secret").limiter().admit(), "same name, new secret: still counted");
        assertNull(second.find("secret-2").limiter().admit(), "another name starts afresh");
        assertEquals("requests", new KeyTable(List.of(key("app", "x-secret", rpm(1))), second)
                .find("x-secret").limiter().admit().type(), "carried over again");
    }

    @Test
    void aLimitSetByAReloadCountsWhatTheKeyAlreadyDid() {
        KeyTable unlimited = new KeyTable(List.of(key("app", "secret", KeyLimits.NONE)));
        KeyLimiter before = (KeyLimiter) unlimited.find("secret").limiter();
        assertNull(before.admit());
        assertNull(before.admit());
        before.finished(700);

        KeyTable limited = new KeyTable(List.of(key("app", "secret",
                new KeyLimits(0, 0, 1, 1000, BudgetPeriod.MONTH))), unlimited);
        KeyLimiter after = (KeyLimiter) limited.find("secret").limiter();
        assertEquals("requests", after.admit().type(), "one admitted before the reload is still in flight");
        before.finished(300);
        assertEquals("tokens", after.admit().type(), "the 1000 tokens used today count in the month's budget");
    }
}
