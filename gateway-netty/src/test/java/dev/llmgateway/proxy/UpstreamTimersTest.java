package dev.llmgateway.proxy;

import dev.llmgateway.config.UpstreamPolicy;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The one scheduled check per attempt, on a frozen loop clock: which deadline is in force, and when it fires. */
class UpstreamTimersTest {
    private final List<UpstreamTimers.Kind> fired = new ArrayList<>();
    private EmbeddedChannel channel;

    @BeforeEach
    void freeze() {
        channel = new EmbeddedChannel();
        channel.freezeTime();
    }

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    private UpstreamTimers timers(int firstByteSeconds, int idleSeconds) {
        UpstreamPolicy policy = new UpstreamPolicy(Duration.ofSeconds(firstByteSeconds),
                Duration.ofSeconds(idleSeconds), Duration.ZERO, 1, Duration.ofSeconds(1), 4096);
        return new UpstreamTimers(channel.eventLoop(), policy, fired::add);
    }

    private void advance(int seconds) {
        channel.advanceTimeBy(seconds, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
    }

    @Test
    void firstByteFiresWhenNoHeadCame() {
        UpstreamTimers timers = timers(10, 60);
        timers.requestWritten();
        advance(9);
        assertEquals(List.of(), fired);
        advance(1);
        assertEquals(List.of(UpstreamTimers.Kind.FIRST_BYTE), fired);
    }

    @Test
    void anIdleTimeoutShorterThanWhatWasLeftOfTheFirstByteOneStillFiresOnTime() {
        UpstreamTimers timers = timers(60, 5);
        timers.requestWritten();
        advance(1);
        timers.headReceived();
        advance(4);
        assertEquals(List.of(), fired);
        advance(1);
        assertEquals(List.of(UpstreamTimers.Kind.IDLE), fired);
    }

    @Test
    void readsPushTheIdleDeadlineAndAPausedUpstreamIsNotIdle() {
        UpstreamTimers timers = timers(10, 10);
        timers.requestWritten();
        timers.headReceived();
        advance(8);
        timers.read();
        advance(8);
        assertEquals(List.of(), fired, "a read 8 s ago");
        timers.paused(true);
        advance(30);
        assertEquals(List.of(), fired, "the proxy stopped reading on purpose");
        timers.paused(false);
        advance(9);
        assertEquals(List.of(), fired);
        advance(2);
        assertEquals(List.of(UpstreamTimers.Kind.IDLE), fired);
    }

    @Test
    void anEndedAttemptFiresNothing() {
        UpstreamTimers timers = timers(10, 10);
        timers.requestWritten();
        timers.attemptEnded();
        advance(60);
        assertEquals(List.of(), fired);
    }
}
