package dev.llmgateway.proxy;

import dev.llmgateway.config.UpstreamPolicy;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.ScheduledFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The attempt's deadlines on a frozen loop clock: which one is in force, and when it fires, also among other
 * attempts of the same loop; and on a real loop, that attempts schedule no task each.
 */
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
        return timers(channel.eventLoop(), firstByteSeconds, idleSeconds, fired::add);
    }

    private static UpstreamTimers timers(EventLoop loop, int firstByteSeconds, int idleSeconds,
                                         UpstreamTimers.Expired expired) {
        UpstreamPolicy policy = new UpstreamPolicy(Duration.ofSeconds(firstByteSeconds),
                Duration.ofSeconds(idleSeconds), Duration.ZERO, 1, Duration.ofSeconds(1), 4096);
        return new UpstreamTimers(loop, policy, expired);
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

    @Test
    void attemptsOfOneLoopEachFireOnTimeWhateverTheirOrderOfReads() {
        List<String> order = new ArrayList<>();
        UpstreamTimers a = timers(channel.eventLoop(), 10, 10, kind -> order.add("a " + kind));
        UpstreamTimers b = timers(channel.eventLoop(), 10, 10, kind -> order.add("b " + kind));
        UpstreamTimers c = timers(channel.eventLoop(), 10, 10, kind -> order.add("c " + kind));
        a.requestWritten();
        a.headReceived(); // a due at 10
        advance(2);
        b.requestWritten(); // b due at 12
        advance(2);
        c.requestWritten();
        c.headReceived(); // c due at 14
        advance(1);
        a.read(); // a now due at 15: after b and c, though queued before them
        advance(6);
        assertEquals(List.of(), order, "second 11");
        advance(1);
        assertEquals(List.of("b FIRST_BYTE"), order, "second 12");
        advance(1);
        assertEquals(List.of("b FIRST_BYTE"), order, "second 13");
        advance(1);
        assertEquals(List.of("b FIRST_BYTE", "c IDLE"), order, "second 14");
        advance(1);
        assertEquals(List.of("b FIRST_BYTE", "c IDLE", "a IDLE"), order, "second 15");
    }

    @Test
    void attemptsOneAfterAnotherScheduleNoTaskEach() throws Exception {
        AtomicInteger schedules = new AtomicInteger();
        DefaultEventLoop loop = new DefaultEventLoop() {
            @Override
            public ScheduledFuture<?> schedule(Runnable task, long delay, TimeUnit unit) {
                schedules.incrementAndGet();
                return super.schedule(task, delay, unit);
            }
        };
        try {
            loop.submit(() -> {
                for (int i = 0; i < 1_000; i++) {
                    UpstreamTimers timers = timers(loop, 60, 30, fired::add);
                    timers.requestWritten();
                    timers.headReceived();
                    timers.read();
                    timers.attemptEnded();
                }
            }).get(10, TimeUnit.SECONDS);
        } finally {
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
        }
        assertEquals(List.of(), fired);
        assertTrue(schedules.get() <= 2, "one task per timeout's queue, not per attempt: " + schedules.get());
    }
}
