package dev.llmgateway.shared;

import dev.llmgateway.config.BudgetConfig;
import dev.llmgateway.config.SharedConfig;
import dev.llmgateway.config.Transport;
import dev.llmgateway.cost.BudgetLedger;
import dev.llmgateway.testutil.RedisServer;
import dev.llmgateway.upstream.TransportChoice;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.prometheus.client.CollectorRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.llmgateway.testutil.SharedGateways.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shared USD ledger's scripts against a real Redis, below the gateway: verdicts on the asking loop, a dead
 * replica's reservation that stops holding the budget when its lease ends, and a rolling window that lets old spend
 * go.
 */
class SharedBudgetLedgerTest {
    private static final TransportChoice TRANSPORT = TransportChoice.choose(Transport.AUTO);
    private static final long MICRO = 1_000_000L;

    private RedisServer redis;
    private EventLoopGroup loops;
    private final List<SharedState> replicas = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        redis = RedisServer.start();
        loops = TRANSPORT.newEventLoopGroup(1, "usd-test");
    }

    @AfterEach
    void stop() throws Exception {
        replicas.forEach(SharedState::close);
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        redis.close();
    }

    private SharedBudgetLedger replica(Duration lease) throws Exception {
        SharedState shared = SharedState.start(new SharedConfig(URI.create(redis.url()), "u:", Duration.ofSeconds(2),
                        SharedConfig.OnUnavailable.DENY, lease), loops, TRANSPORT.socketChannel(),
                TRANSPORT.datagramChannel(), new CollectorRegistry(true), (provider, keyId, nanos) -> { });
        replicas.add(shared);
        await("connected", shared::up);
        return new SharedBudgetLedger(shared);
    }

    private BudgetLedger.Verdict reserve(BudgetLedger ledger, BudgetLedger.Budget budget, long picos)
            throws Exception {
        EventLoop loop = loops.next();
        return loop.submit(() -> ledger.reserve(List.of(budget), picos, System.currentTimeMillis()))
                .get(10, TimeUnit.SECONDS).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void aDeadReplicasReservationStopsHoldingTheBudgetWhenItsLeaseEnds() throws Exception {
        BudgetLedger.Budget budget = new BudgetLedger.Budget("key", "ci",
                new BudgetConfig(10 * MICRO, BudgetConfig.Period.DAY, BudgetConfig.Mode.STRICT));
        SharedBudgetLedger dying = replica(Duration.ofSeconds(1));
        SharedBudgetLedger survivor = replica(Duration.ofSeconds(1));

        assertTrue(reserve(dying, budget, 10 * MICRO).admitted(), "the whole budget reserved");
        BudgetLedger.Verdict refused = reserve(survivor, budget, MICRO);
        assertFalse(refused.admitted(), "another replica's reservation holds the budget");
        assertTrue(refused.refusal().message().contains("0 USD of its 0.00001 USD budget left per day"),
                refused.refusal().message());

        replicas.get(0).close(); // dies holding its reservation: nobody settles or refreshes it
        long died = System.nanoTime();
        await("the lease ended", () -> reserve(survivor, budget, MICRO).admitted());
        assertTrue(System.nanoTime() - died > TimeUnit.MILLISECONDS.toNanos(500),
                "held until about the lease's end, not given back at once");
    }

    @Test
    void aRunningRequestsLeaseIsExtendedAndItsSettleCountsItsCost() throws Exception {
        BudgetLedger.Budget budget = new BudgetLedger.Budget("team", "research",
                new BudgetConfig(10 * MICRO, BudgetConfig.Period.MONTH, BudgetConfig.Mode.STRICT));
        SharedBudgetLedger ledger = replica(Duration.ofSeconds(1));
        BudgetLedger.Verdict held = reserve(ledger, budget, 6 * MICRO);
        assertTrue(held.admitted());
        Thread.sleep(2_500); // over two leases: refreshed meanwhile
        assertFalse(reserve(ledger, budget, 6 * MICRO).admitted(), "a running request's reservation still holds");
        EventLoop loop = loops.next();
        loop.submit(() -> held.hold().settle(3 * MICRO + 7, System.currentTimeMillis())).get(5, TimeUnit.SECONDS);
        await("settled", () -> "0".equals(redis.command("HGET", "u:usd:team:research:month:spend", "r")));
        assertTrue(reserve(ledger, budget, 6 * MICRO).admitted(), "3.000007 spent + 6 reserved fit in 10");
        assertFalse(reserve(ledger, budget, MICRO).admitted(), "and nothing more");
    }

    @Test
    void aRollingWindowLetsOldSpendGo() throws Exception {
        // 3.2 s in 32 buckets of 100 ms.
        BudgetLedger.Budget budget = new BudgetLedger.Budget("key", "burst", new BudgetConfig(5 * MICRO,
                new BudgetConfig.Period(BudgetConfig.Period.Kind.ROLLING, Duration.ofMillis(3_200)),
                BudgetConfig.Mode.SOFT));
        SharedBudgetLedger ledger = replica(Duration.ofSeconds(30));
        BudgetLedger.Verdict first = reserve(ledger, budget, 9 * MICRO);
        assertTrue(first.admitted(), "soft: admitted while anything is left, whatever the worst case");
        EventLoop loop = loops.next();
        loop.submit(() -> first.hold().settle(5 * MICRO, System.currentTimeMillis())).get(5, TimeUnit.SECONDS);
        BudgetLedger.Verdict spent = reserve(ledger, budget, MICRO);
        assertFalse(spent.admitted(), "the window's budget is spent");
        assertTrue(spent.refusal().retryAfterSeconds() >= 1 && spent.refusal().retryAfterSeconds() <= 4,
                "until the spend leaves the window: " + spent.refusal().retryAfterSeconds());
        long refusedAt = System.nanoTime();
        await("the spend left the window", () -> reserve(ledger, budget, MICRO).admitted());
        assertTrue(System.nanoTime() - refusedAt > TimeUnit.MILLISECONDS.toNanos(2_000),
                "not before the window moved past it");
    }
}
