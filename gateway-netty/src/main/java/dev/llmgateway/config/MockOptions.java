package dev.llmgateway.config;

import java.time.Duration;
import java.util.Objects;

/** What a mock provider streams: {@code tokens} chunks, {@code tokenDelay} apart. */
public record MockOptions(int tokens, Duration tokenDelay) {
    public MockOptions {
        Objects.requireNonNull(tokenDelay, "tokenDelay");
    }
}
