package dev.llmgateway.shared;

import dev.llmgateway.config.KeyLimits;
import dev.llmgateway.config.SharedConfig;
import dev.llmgateway.config.Transport;
import dev.llmgateway.testutil.PrometheusText;
import dev.llmgateway.testutil.RedisServer;
import dev.llmgateway.upstream.KeyRing;
import dev.llmgateway.upstream.TransportChoice;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.exporter.common.TextFormat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.StringWriter;
import java.net.URI;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import static dev.llmgateway.testutil.SharedGateways.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shared state against a real Redis: answers on the asking loop, the scripts' limits (sliding minute, slots
 * with a lease, budget periods on Redis' clock), NOSCRIPT, a hung Redis (timeout) and its return, and rests.
 */
class SharedStateTest {
    private static final TransportChoice TRANSPORT = TransportChoice.choose(Transport.AUTO);

    private RedisServer redis;
    private EventLoopGroup loops;
    private CollectorRegistry registry;
    private SharedState shared;
    private final ConcurrentLinkedQueue<String> rests = new ConcurrentLinkedQueue<>();

    @BeforeEach
    void start() throws Exception {
        redis = RedisServer.start();
        loops = TRANSPORT.newEventLoopGroup(2, "shared-test");
    }

    @AfterEach
    void stop() throws Exception {
        if (shared != null) {
            shared.close();
        }
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        redis.close();
    }

    private SharedState connect(Duration timeout, Duration lease) throws Exception {
        return connect(redis.url(), timeout, lease);
    }

    private SharedState connect(String url, Duration timeout, Duration lease) throws Exception {
        registry = new CollectorRegistry(true);
        shared = SharedState.start(new SharedConfig(URI.create(url), "t:", timeout,
                        SharedConfig.OnUnavailable.LOCAL, lease), loops, TRANSPORT.socketChannel(),
                TRANSPORT.datagramChannel(), registry,
                (provider, keyId, nanos) -> rests.add(provider + " " + keyId + " " + nanos));
        await("connected", shared::up);
        return shared;
    }

    private static KeyLimits limits(long rpm, long tpm, int concurrent, long budget, KeyLimits.BudgetPeriod period) {
        return new KeyLimits(rpm, tpm, concurrent, budget, period);
    }

    /** What one admission heard, and on which thread. */
    private record Answer(String what, Slot slot, Limit limit, long retryAfter, boolean onItsLoop) {
    }

    private static Answer admit(KeyCounters counters, EventLoop loop) throws Exception {
        CompletableFuture<Answer> answer = new CompletableFuture<>();
        loop.execute(() -> counters.admit(loop, new Admission() {
            @Override
            public void admitted(Slot slot) {
                answer.complete(new Answer("admitted", slot, null, 0, loop.inEventLoop()));
            }

            @Override
            public void refused(Limit limit, long retryAfterSeconds) {
                answer.complete(new Answer("refused", null, limit, retryAfterSeconds, loop.inEventLoop()));
            }

            @Override
            public void unavailable() {
                answer.complete(new Answer("unavailable", null, null, 0, loop.inEventLoop()));
            }
        }));
        return answer.get(10, TimeUnit.SECONDS);
    }

    private static void finish(KeyCounters counters, EventLoop loop, Slot slot, long tokens) throws Exception {
        loop.submit(() -> counters.finish(loop, slot, tokens)).get(10, TimeUnit.SECONDS);
    }

    private long redisSecond() throws Exception {
        return Long.parseLong((String) ((List<?>) redis.command("TIME")).get(0));
    }

    private double metric(String name, String... labels) {
        StringWriter text = new StringWriter();
        try {
            TextFormat.write004(text, registry.metricFamilySamples());
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        return PrometheusText.value(text.toString(), name, labels);
    }

    @Test
    void everyAnswerRunsOnTheLoopThatAskedWithNoHop() throws Exception {
        connect(Duration.ofSeconds(2), Duration.ofSeconds(30));
        KeyCounters counters = shared.counters("team", limits(0, 0, 1000, 0, KeyLimits.BudgetPeriod.DAY));
        for (EventExecutor executor : loops) {
            EventLoop loop = (EventLoop) executor;
            for (int i = 0; i < 50; i++) {
                Answer answer = admit(counters, loop);
                assertEquals("admitted", answer.what());
                assertTrue(answer.onItsLoop(), "the answer came on the loop that asked");
                finish(counters, loop, answer.slot(), 1);
            }
        }
        for (RedisLink link : shared.links()) {
            assertEquals(0, link.hops(), "no answer had to be moved to its loop: " + link);
        }
        assertEquals(0L, redis.command("ZCARD", "t:{team}:slots"), "every slot went back");
        assertEquals("100", redis.command("HGET", "t:{team}:tokens", "t"), "every token was charged");
        assertTrue(metric("llm_shared_state_round_trip_seconds_count") >= 100);
        assertEquals(1.0, metric("llm_shared_state_up"));
    }

    @Test
    void thePasswordOfTheUrlAuthenticatesAsTheDefaultUserOrANamedOne() throws Exception {
        redis.command("CONFIG", "SET", "requirepass", "p@ss:w/rd");
        String password = "p%40ss%3Aw%2Frd";
        connect("redis://:" + password + "@127.0.0.1:" + redis.port() + "/0", Duration.ofSeconds(2),
                Duration.ofSeconds(30));
        assertEquals("admitted", admit(shared.counters("auth", limits(1, 0, 0, 0, KeyLimits.BudgetPeriod.DAY)),
                loops.next()).what());
        shared.close();
        connect("redis://default:" + password + "@127.0.0.1:" + redis.port() + "/0", Duration.ofSeconds(2),
                Duration.ofSeconds(30));
        assertEquals(Limit.REQUESTS_PER_MINUTE, admit(shared.counters("auth", limits(1, 0, 0, 0,
                KeyLimits.BudgetPeriod.DAY)), loops.next()).limit());
    }

    @Test
    void requestsPerMinuteSlideOverSecondsAndOldOnesLeave() throws Exception {
        connect(Duration.ofSeconds(2), Duration.ofSeconds(30));
        EventLoop loop = loops.next();
        long now = redisSecond();
        // What a minute of traffic left: 5 requests 70 s ago (gone from the window) and 2 requests 30 s ago.
        redis.command("HSET", "t:{rpm}:requests", Long.toString(now - 70), "5", Long.toString(now - 30), "2",
                "o", Long.toString(now - 70), "t", "7");
        KeyCounters counters = shared.counters("rpm", limits(3, 0, 0, 0, KeyLimits.BudgetPeriod.DAY));
        assertEquals("admitted", admit(counters, loop).what(), "2 of 3 in the last minute");
        Answer refused = admit(counters, loop);
        assertEquals(Limit.REQUESTS_PER_MINUTE, refused.limit());
        long expected = now - 30 + 60 - redisSecond();
        assertTrue(Math.abs(refused.retryAfter() - expected) <= 1, "until the requests of 30 s ago leave: "
                + refused.retryAfter() + " vs " + expected);
        assertNull(redis.command("HGET", "t:{rpm}:requests", Long.toString(now - 70)), "the old second was dropped");
    }

    @Test
    void budgetPeriodsAreRedisCalendarDaysAndMonths() throws Exception {
        connect(Duration.ofSeconds(2), Duration.ofSeconds(30));
        EventLoop loop = loops.next();
        KeyCounters monthly = shared.counters("month", limits(0, 0, 0, 100, KeyLimits.BudgetPeriod.MONTH));
        KeyCounters daily = shared.counters("day", limits(0, 0, 0, 100, KeyLimits.BudgetPeriod.DAY));
        long second = redisSecond();
        LocalDate today = LocalDate.ofEpochDay(Math.floorDiv(second, 86_400));
        long month = (today.getYear() - 1970L) * 12 + today.getMonthValue() - 1;
        // Last month's and yesterday's spending do not count now.
        redis.command("HSET", "t:{month}:budget", "m", Long.toString(month - 1), "mu", "500");
        redis.command("HSET", "t:{day}:budget", "d", Long.toString(today.toEpochDay() - 1), "du", "500");
        Answer admitted = admit(monthly, loop);
        assertEquals("admitted", admitted.what());
        assertEquals("admitted", admit(daily, loop).what());
        finish(monthly, loop, admitted.slot(), 100);
        Answer refused = admit(monthly, loop);
        assertEquals(Limit.TOKEN_BUDGET, refused.limit());
        long nextMonth = today.withDayOfMonth(1).plusMonths(1).atStartOfDay(ZoneOffset.UTC).toEpochSecond();
        assertTrue(Math.abs(refused.retryAfter() - (nextMonth - second)) <= 2,
                "until the next UTC month: " + refused.retryAfter() + " vs " + (nextMonth - second));
        assertEquals(List.of(Long.toString(month), "100", Long.toString(today.toEpochDay()), "100"),
                redis.command("HMGET", "t:{month}:budget", "m", "mu", "d", "du"), "both periods were charged");
    }

    @Test
    void aSlotLeftByADeadReplicaExpiresWithItsLease() throws Exception {
        connect(Duration.ofSeconds(2), Duration.ofSeconds(30));
        EventLoop loop = loops.next();
        long nowMillis = redisSecond() * 1000;
        // A replica died holding the key's one slot; its lease ends in about 1.5 s.
        redis.command("ZADD", "t:{conc}:slots", Long.toString(nowMillis + 1500), "dead-replica.0.0");
        KeyCounters counters = shared.counters("conc", limits(0, 0, 1, 0, KeyLimits.BudgetPeriod.DAY));
        assertEquals(Limit.CONCURRENCY, admit(counters, loop).limit());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        Answer answer;
        do {
            Thread.sleep(100);
            answer = admit(counters, loop);
        } while (!answer.what().equals("admitted") && System.nanoTime() < deadline);
        assertEquals("admitted", answer.what(), "the dead replica's slot expired");
        assertEquals(List.of(answer.slot().id), redis.command("ZRANGE", "t:{conc}:slots", "0", "-1"));
    }

    @Test
    void aLongRequestsSlotIsRefreshedBeforeItsLeaseEnds() throws Exception {
        connect(Duration.ofSeconds(2), Duration.ofSeconds(1));
        EventLoop loop = loops.next();
        KeyCounters counters = shared.counters("long", limits(0, 0, 1, 0, KeyLimits.BudgetPeriod.DAY));
        Answer held = admit(counters, loop);
        assertEquals("admitted", held.what());
        Thread.sleep(2500);
        assertEquals(Limit.CONCURRENCY, admit(counters, loop).limit(), "still held after two and a half leases");
        finish(counters, loop, held.slot(), 0);
        assertEquals("admitted", admit(counters, loop).what());
    }

    @Test
    void aFlushedScriptIsSentAgainAsItsText() throws Exception {
        connect(Duration.ofSeconds(2), Duration.ofSeconds(30));
        EventLoop loop = loops.next();
        redis.command("SCRIPT", "FLUSH");
        KeyCounters counters = shared.counters("flushed", limits(1, 0, 0, 0, KeyLimits.BudgetPeriod.DAY));
        assertEquals("admitted", admit(counters, loop).what());
        assertEquals(Limit.REQUESTS_PER_MINUTE, admit(counters, loop).limit());
        assertTrue(shared.up(), "NOSCRIPT is not an outage");
    }

    @Test
    void aHungRedisTimesOutToUnavailableAndIsUsedAgainWhenItAnswers() throws Exception {
        connect(Duration.ofMillis(200), Duration.ofSeconds(30));
        EventLoop loop = loops.next();
        KeyCounters counters = shared.counters("hung", limits(100, 0, 0, 0, KeyLimits.BudgetPeriod.DAY));
        redis.pause();
        try {
            long started = System.nanoTime();
            Answer answer = admit(counters, loop);
            long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            assertEquals("unavailable", answer.what());
            assertTrue(waited >= 150 && waited < 2000, "decided after about the timeout: " + waited + " ms");
            assertEquals("unavailable", admit(counters, loop).what(), "known to be away: not asked again");
            assertFalse(shared.up());
            assertEquals(0.0, metric("llm_shared_state_up"));
            assertEquals(1.0, metric("llm_shared_state_fallbacks_total", "reason", "timeout"));
            assertTrue(metric("llm_shared_state_fallbacks_total", "reason", "unreachable") >= 1);
        } finally {
            redis.resume();
        }
        await("up again", shared::up);
        assertEquals("admitted", admit(counters, loop).what());
    }

    @Test
    void aKilledRedisIsUnavailableAtOnceAndAnEmptyOneIsUsedWhenItReturns() throws Exception {
        connect(Duration.ofSeconds(2), Duration.ofSeconds(30));
        EventLoop loop = loops.next();
        KeyCounters counters = shared.counters("killed", limits(1, 0, 0, 0, KeyLimits.BudgetPeriod.DAY));
        assertEquals("admitted", admit(counters, loop).what());
        redis.kill();
        await("down", () -> !shared.up());
        assertEquals("unavailable", admit(counters, loop).what());
        redis.restart();
        await("up again", shared::up);
        assertEquals("admitted", admit(counters, loop).what(), "the new Redis starts empty");
        assertEquals(Limit.REQUESTS_PER_MINUTE, admit(counters, loop).limit());
    }

    @Test
    void finishesWhileRedisIsAwayAreSentWhenItReturns() throws Exception {
        connect(Duration.ofSeconds(2), Duration.ofSeconds(30));
        EventLoop loop = loops.next();
        KeyCounters counters = shared.counters("later", limits(0, 0, 5, 0, KeyLimits.BudgetPeriod.DAY));
        Answer held = admit(counters, loop);
        redis.pause();
        try {
            admit(counters, loop);  // times out: the link goes down
            await("down", () -> !shared.up());
            finish(counters, loop, held.slot(), 40);
        } finally {
            redis.resume();
        }
        await("up again", shared::up);
        await("the held finish is applied", () -> "40".equals(redis.command("HGET", "t:{later}:tokens", "t")));
        assertFalse(((List<?>) redis.command("ZRANGE", "t:{later}:slots", "0", "-1")).contains(held.slot().id));
    }

    @Test
    void aRestPublishedByOneReplicaReachesEveryListenerAndALateOneCatchesUp() throws Exception {
        connect(Duration.ofSeconds(2), Duration.ofSeconds(30));
        KeyRing ring = new KeyRing(List.of("sk-first", "sk-second"));
        shared.share("openai", ring);
        await("subscribed", () -> ((List<?>) redis.command("PUBSUB", "CHANNELS", "t:*"))
                .contains("t:upstream-key-rests"));
        EventLoop loop = loops.next();
        loop.submit(() -> {
            ring.coolDown(1, System.nanoTime() + TimeUnit.SECONDS.toNanos(30));
            ring.shareRest(1, System.nanoTime());
        }).get(10, TimeUnit.SECONDS);
        await("the rest was heard", () -> !rests.isEmpty());
        String heard = rests.poll();
        assertTrue(heard.startsWith("openai "), heard);
        String keyId = heard.split(" ")[1];
        assertFalse(heard.contains("sk-second"), "never the key itself");
        long nanos = Long.parseLong(heard.split(" ")[2]);
        assertTrue(nanos > TimeUnit.SECONDS.toNanos(25) && nanos <= TimeUnit.SECONDS.toNanos(30), heard);

        // A replica that starts now learns of the rest still running.
        List<String> late = new ArrayList<>();
        SharedState second = SharedState.start(shared.config(), loops, TRANSPORT.socketChannel(),
                TRANSPORT.datagramChannel(), new CollectorRegistry(true),
                (provider, id, left) -> late.add(provider + " " + id));
        try {
            await("the late replica caught up", () -> !late.isEmpty());
            assertEquals("openai " + keyId, late.get(0));
        } finally {
            second.close();
        }
        KeyRing other = new KeyRing(List.of("sk-first", "sk-second"));
        other.share((id, left) -> { });
        other.restedElsewhere(keyId, System.nanoTime() + TimeUnit.SECONDS.toNanos(30));
        assertEquals(0, other.next(System.nanoTime()), "the rested key is skipped on the other replica");
        assertEquals(0, other.next(System.nanoTime()));
        assertNotNull(keyId);
    }
}
