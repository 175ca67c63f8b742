package dev.llmgateway.shared;

import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

/**
 * One event loop's connection to the shared Redis and all that uses it on that loop: admissions and USD
 * reservations waiting for their answer and its timeout, the slots and reservations the loop's requests hold
 * ({@link HeldLeases}) and their lease refresh, and the updates (slot given back and tokens charged, reservation settled) that wait while
 * Redis is away. Every method runs on the loop. The connection's channel is
 * registered on this same loop (its {@link RedisClient} is given only this loop, {@link LoopResources}), so a
 * request's script call is written and its answer read on the request's own thread: no hop either way. Calls are
 * flushed once per turn of the loop, not one by one, so many requests' calls leave in one write. (Lettuce takes a
 * per-connection lock for each write; only this loop ever writes on the connection, so it is never contended.)
 *
 * <pre>
 *  CONNECTING ─ connected, scripts loaded ─▶ UP ─ connection lost, timeout, error ─▶ DOWN
 *      ▲  └─ failed or too slow ─▶ DOWN                                               │
 *      └──────────────────────────── backoff (50 ms doubling to 1 s) ─────────────────┘      close() ─▶ CLOSED
 * </pre>
 * Only UP sends requests' calls: in any other state an admission (a reservation) is answered unavailable at once,
 * so a request never waits for a Redis that is known to be away. Reconnecting is the probe: a Redis that answers
 * again turns UP within a backoff.
 */
final class RedisLink {
    enum State { CONNECTING, UP, DOWN, CLOSED }

    private static final long FIRST_CONNECT_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** Updates held while Redis is away; beyond, they are dropped and counted. */
    static final int MAX_BACKLOG = 10_000;

    private final SharedState shared;
    private final EventLoop loop;
    private final RedisClient client;
    private final RedisURI uri;
    private final long timeoutNanos;
    private final long connectTimeoutNanos;
    private final String leaseMillis;
    private final String slotPrefix;
    private final ArrayDeque<WaitingCall> waiting = new ArrayDeque<>();
    private final ArrayDeque<UpdateCall> backlog = new ArrayDeque<>();
    private final HeldLeases held;
    private final Runnable checkTimeouts = this::checkTimeouts;
    private final Runnable flush = this::flush;

    private State state = State.CONNECTING;
    private StatefulRedisConnection<String, String> connection;
    private RedisAsyncCommands<String, String> commands;
    private int attempt;
    private final Backoff backoff = new Backoff();
    private boolean timeoutCheckScheduled;
    private boolean flushScheduled;
    private ScheduledFuture<?> refresher;
    private long slotCounter;
    private String downReason = "not connected yet";
    /** Answers that arrived on another thread and had to be moved to this loop; stays 0 when pinning holds. */
    private final AtomicLong hops = new AtomicLong();

    RedisLink(SharedState shared, EventLoop loop, RedisClient client, RedisURI uri, int index) {
        this.shared = shared;
        this.loop = loop;
        this.client = client;
        this.uri = uri;
        this.timeoutNanos = shared.config().timeout().toNanos();
        this.connectTimeoutNanos = shared.connectTimeout().toNanos();
        this.leaseMillis = Long.toString(shared.config().slotLease().toMillis());
        this.slotPrefix = shared.replicaId() + "." + index + ".";
        this.held = new HeldLeases(leaseMillis);
        client.addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisDisconnected(RedisChannelHandler<?, ?> lost) {
                onLoop(() -> {
                    if (lost == connection && state == State.UP) {
                        down("the connection was lost", SharedStateMetrics.Fallback.ERROR);
                    }
                });
            }
        });
    }

    EventLoop loop() {
        return loop;
    }

    State state() {
        return state;
    }

    long hops() {
        return hops.get();
    }

    /** Starts connecting, and the lease refresh of the loop's slots. */
    void start() {
        onLoop(() -> {
            long every = Math.max(1, shared.config().slotLease().toMillis() / 3);
            refresher = loop.scheduleAtFixedRate(this::refreshLeases, every, every, TimeUnit.MILLISECONDS);
            connect();
        });
    }

    /** Closes the connection; what waits is answered unavailable. */
    CompletableFuture<Void> close() {
        CompletableFuture<Void> closed = new CompletableFuture<>();
        onLoop(() -> {
            if (refresher != null) {
                refresher.cancel(false);
            }
            leave(State.CLOSED, "the gateway is stopping", SharedStateMetrics.Fallback.UNREACHABLE);
            closed.complete(null);
        });
        return closed;
    }

    void admit(KeyCounters counters, Admission admission) {
        if (state != State.UP) {
            shared.metrics().fallback(SharedStateMetrics.Fallback.UNREACHABLE);
            admission.unavailable();
            return;
        }
        Slot slot = counters.holdsSlots() ? new Slot(counters, nextId()) : null;
        await(new AdmitCall(counters, admission, slot));
    }

    /** Asks Redis to reserve on USD budgets; the reservation hears the answer on this loop (at once when away). */
    void reserve(UsdReservation reservation) {
        if (state != State.UP) {
            shared.metrics().fallback(SharedStateMetrics.Fallback.UNREACHABLE);
            reservation.unavailable();
            return;
        }
        await(new ReserveCall(reservation));
    }

    /** A held reservation becomes the request's cost: sent now, or once Redis is back (bounded). */
    void settle(UsdReservation reservation, long costPicos) {
        held.release(reservation);
        update(new UpdateCall(Script.USD_SETTLE, reservation.keys, reservation.settleArgs(costPicos)));
    }

    /** An id no other request of any replica uses: this replica's, this loop's, and a count. */
    String nextId() {
        return slotPrefix + Long.toString(slotCounter++, 36);
    }

    private void await(WaitingCall call) {
        waiting.addLast(call);
        call.send();
        if (!timeoutCheckScheduled) {
            timeoutCheckScheduled = true;
            loop.schedule(checkTimeouts, timeoutNanos, TimeUnit.NANOSECONDS);
        }
    }

    void finish(KeyCounters counters, Slot slot, long tokens) {
        if (slot != null) {
            held.release(slot);
        }
        if (slot == null && tokens <= 0) {
            return;
        }
        update(new UpdateCall(Script.FINISH, counters.finishKeys,
                new String[] {slot == null ? "" : slot.id, Long.toString(Math.max(0, tokens))}));
    }

    private void update(UpdateCall call) {
        if (state == State.UP) {
            call.send();
        } else if (backlog.size() < MAX_BACKLOG && state != State.CLOSED) {
            backlog.addLast(call);
        } else {
            shared.metrics().updateDropped();
        }
    }

    /** Tells every replica that an upstream key rests; best effort: dropped while Redis is away. */
    void publishRest(String field, long restMillis) {
        if (state == State.UP) {
            new Call(Script.REST, shared.restKeys(), new String[] {field, Long.toString(restMillis),
                    shared.restChannel()}).send();
        }
    }

    /** Asks for the upstream keys' rests still running (after a (re)subscription); best effort. */
    void catchUpRests(BiConsumer<String, Long> rest) {
        if (state != State.UP) {
            return;
        }
        new Call(Script.RESTS, shared.restKeys(), new String[0]) {
            @Override
            void answered(Object result, Throwable error) {
                if (error == null && result instanceof List<?> running) {
                    for (int i = 0; i + 1 < running.size(); i += 2) {
                        rest.accept(String.valueOf(running.get(i)), Long.parseLong(String.valueOf(running.get(i + 1))));
                    }
                }
            }
        }.send();
    }

    private void connect() {
        if (state == State.CLOSED) {
            return;
        }
        state = State.CONNECTING;
        int thisAttempt = ++attempt;
        // The first connection of a process also loads and compiles the client's classes: give it longer.
        long deadline = thisAttempt == 1 ? Math.max(connectTimeoutNanos, FIRST_CONNECT_NANOS) : connectTimeoutNanos;
        loop.schedule(() -> {
            if (thisAttempt == attempt && state == State.CONNECTING) {
                failedToConnect("no connection within " + TimeUnit.NANOSECONDS.toMillis(deadline) + " ms");
            }
        }, deadline, TimeUnit.NANOSECONDS);
        client.connectAsync(StringCodec.UTF8, uri).whenComplete((opened, error) -> onLoop(() -> {
            if (thisAttempt != attempt || state != State.CONNECTING) {
                if (opened != null) {
                    opened.closeAsync();
                }
                return;
            }
            if (error != null) {
                failedToConnect(describe(error));
                return;
            }
            connection = opened;
            commands = opened.async();
            opened.setAutoFlushCommands(false);
            loadScripts(thisAttempt);
        }));
    }

    /** Loads every script before the connection carries requests, so a request's call is one EVALSHA. */
    private void loadScripts(int thisAttempt) {
        List<CompletableFuture<String>> loads = new ArrayList<>();
        for (Script script : Script.ALL) {
            loads.add(commands.scriptLoad(script.body()).toCompletableFuture());
        }
        connection.flushCommands();
        CompletableFuture.allOf(loads.toArray(new CompletableFuture<?>[0])).whenComplete((done, error) -> onLoop(() -> {
            if (thisAttempt != attempt || state != State.CONNECTING) {
                return;
            }
            if (error != null) {
                failedToConnect("loading the scripts failed: " + describe(error));
                return;
            }
            for (int i = 0; i < loads.size(); i++) {
                if (!Script.ALL.get(i).sha().equals(loads.get(i).join())) {
                    failedToConnect("Redis named script " + Script.ALL.get(i) + " by another SHA-1");
                    return;
                }
            }
            up();
        }));
    }

    private void up() {
        state = State.UP;
        backoff.reset();
        shared.linkUp(this);
        while (!backlog.isEmpty() && state == State.UP) {
            backlog.pollFirst().send();
        }
    }

    private void failedToConnect(String reason) {
        closeConnection();
        downReason = reason;
        state = State.DOWN;
        shared.connectFailed(this, reason);
        retryLater();
    }

    /** UP → DOWN: every admission waiting is answered unavailable, the connection closes, a reconnect follows. */
    private void down(String reason, SharedStateMetrics.Fallback why) {
        if (state == State.UP) {
            leave(State.DOWN, reason, why);
            retryLater();
        }
    }

    private void leave(State next, String reason, SharedStateMetrics.Fallback why) {
        boolean wasUp = state == State.UP;
        state = next;
        downReason = reason;
        closeConnection();
        if (wasUp && next != State.CLOSED) {
            shared.linkDown(this, reason);
        }
        List<WaitingCall> undecided = new ArrayList<>(waiting);
        waiting.clear();
        for (WaitingCall call : undecided) {
            call.undecided(why);
        }
        if (next == State.CLOSED) {
            backlog.forEach(dropped -> shared.metrics().updateDropped());
            backlog.clear();
        }
    }

    private void retryLater() {
        loop.schedule(this::connect, backoff.nextNanos(), TimeUnit.NANOSECONDS);
    }

    /** Writes what this turn of the loop sent (at its end: the calls of every request it served go together). */
    private void flushSoon() {
        if (!flushScheduled) {
            flushScheduled = true;
            loop.execute(flush);
        }
    }

    private void flush() {
        flushScheduled = false;
        if (connection != null) {
            connection.flushCommands();
        }
    }

    private void closeConnection() {
        if (connection != null) {
            connection.closeAsync();
            connection = null;
            commands = null;
        }
    }

    /** The oldest waiting admission past the timeout takes the link down (and with it every later one). */
    private void checkTimeouts() {
        timeoutCheckScheduled = false;
        WaitingCall oldest = waiting.peekFirst();
        if (oldest == null) {
            return;
        }
        long late = System.nanoTime() - oldest.sentNanos - timeoutNanos;
        if (late >= 0) {
            down("no answer within " + shared.config().timeout().toMillis() + " ms",
                    SharedStateMetrics.Fallback.TIMEOUT);
            return;
        }
        timeoutCheckScheduled = true;
        loop.schedule(checkTimeouts, -late, TimeUnit.NANOSECONDS);
    }

    /**
     * Extends the leases of the slots and USD reservations this loop's requests hold: one call per gateway key's
     * slots and per budget's reservations.
     */
    private void refreshLeases() {
        if (state == State.UP) {
            held.refreshArguments().forEach((key, args) ->
                    new Call(Script.REFRESH, new String[] {key}, args.toArray(new String[0])).send());
        }
    }

    private void onLoop(Runnable task) {
        if (loop.inEventLoop()) {
            task.run();
        } else {
            loop.execute(task);
        }
    }

    private static String describe(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        String message = cause.getMessage();
        return message == null || message.isBlank() ? cause.getClass().getSimpleName() : message;
    }

    @Override
    public String toString() {
        return "RedisLink[" + slotPrefix + " " + state + (state == State.UP ? "" : ": " + downReason) + "]";
    }

    /**
     * One script call on the current connection: EVALSHA, and once EVAL with the script's text when Redis lost it
     * (NOSCRIPT: a SCRIPT FLUSH, a failover to a server that never loaded it). An error on the connection it was sent
     * on takes the link down. Its answer is handled on the loop.
     */
    private class Call implements BiConsumer<Object, Throwable> {
        private final Script script;
        private final String[] keys;
        private final String[] args;
        private StatefulRedisConnection<String, String> sentOn;
        private boolean evaluated;

        Call(Script script, String[] keys, String[] args) {
            this.script = script;
            this.keys = keys;
            this.args = args;
        }

        final void send() {
            sentOn = connection;
            RedisFuture<Object> answer = evaluated ? commands.eval(script.body(), script.output(), keys, args)
                    : commands.evalsha(script.sha(), script.output(), keys, args);
            answer.whenComplete(this);
            flushSoon();
        }

        @Override
        public final void accept(Object result, Throwable error) {
            if (!loop.inEventLoop()) {
                hops.incrementAndGet();
                loop.execute(() -> accept(result, error));
                return;
            }
            boolean current = sentOn == connection && state == State.UP;
            if (error instanceof RedisNoScriptException && !evaluated && current) {
                evaluated = true;
                send();
                return;
            }
            if (error != null && current) {
                down("Redis failed a call: " + describe(error), SharedStateMetrics.Fallback.ERROR);
            }
            answered(result, error);
        }

        /** The answer, or the error (the link is already down when it was the current connection's). */
        void answered(Object result, Throwable error) {
        }
    }

    /**
     * A call a request waits for, decided once: by the answer, or unavailable (the link went down, the answer came
     * later than {@code timeout}, Redis failed it); an answer after that is {@link #late}.
     */
    private abstract class WaitingCall extends Call {
        private final long sentNanos = System.nanoTime();
        private boolean decided;

        WaitingCall(Script script, String[] keys, String[] args) {
            super(script, keys, args);
        }

        @Override
        final void answered(Object result, Throwable error) {
            if (decided) {
                if (error == null) {
                    late(result);
                }
                return;
            }
            if (waiting.peekFirst() == this) {
                waiting.pollFirst();
            } else {
                waiting.remove(this);
            }
            if (error != null) {
                // The link went down (it was this connection's error), or it was a late error of an old one.
                undecided(SharedStateMetrics.Fallback.ERROR);
                return;
            }
            decided = true;
            shared.metrics().roundTrip(System.nanoTime() - sentNanos);
            decide(result);
        }

        final void undecided(SharedStateMetrics.Fallback why) {
            if (!decided) {
                decided = true;
                shared.metrics().fallback(why);
                unavailable();
            }
        }

        abstract void decide(Object result);

        /** Redis' answer came after the request went on without it: what it took is given back. */
        abstract void late(Object result);

        abstract void unavailable();
    }

    /** A key's admission (admit.lua). */
    private final class AdmitCall extends WaitingCall {
        private final KeyCounters counters;
        private final Admission admission;
        private final Slot slot;

        AdmitCall(KeyCounters counters, Admission admission, Slot slot) {
            super(Script.ADMIT, counters.admitKeys, counters.admitArgs(slot == null ? null : slot.id, leaseMillis));
            this.counters = counters;
            this.admission = admission;
            this.slot = slot;
        }

        @Override
        void decide(Object result) {
            long answer = (Long) result;
            if (answer == 0) {
                if (slot != null) {
                    held.hold(slot);
                }
                admission.admitted(slot);
            } else {
                admission.refused(Limit.of(answer >>> 32), answer & 0xFFFF_FFFFL);
            }
        }

        @Override
        void late(Object result) {
            if (slot != null && ((Long) result) == 0) {
                // Rather than let the slot block the key until its lease ends.
                finish(counters, slot, 0);
            }
        }

        @Override
        void unavailable() {
            admission.unavailable();
        }
    }

    /** A reservation on USD budgets (usd_reserve.lua). */
    private final class ReserveCall extends WaitingCall {
        private final UsdReservation reservation;

        ReserveCall(UsdReservation reservation) {
            super(Script.USD_RESERVE, reservation.keys, reservation.reserveArgs(leaseMillis));
            this.reservation = reservation;
        }

        @Override
        void decide(Object result) {
            List<?> answer = (List<?>) result;
            long refusing = (Long) answer.get(0);
            if (refusing == 0) {
                held.hold(reservation);
                reservation.reserved();
            } else {
                reservation.refused((int) refusing, (Long) answer.get(1), (Long) answer.get(2),
                        (Long) answer.get(3));
            }
        }

        @Override
        void late(Object result) {
            if ((Long) ((List<?>) result).get(0) == 0) {
                // Rather than let it hold the budgets until its lease ends.
                update(new UpdateCall(Script.USD_SETTLE, reservation.keys, reservation.settleArgs(0)));
            }
        }

        @Override
        void unavailable() {
            reservation.unavailable();
        }
    }

    /**
     * An update nobody waits for (a slot given back and tokens charged, a reservation settled); lost only when Redis
     * fails it.
     */
    private final class UpdateCall extends Call {
        UpdateCall(Script script, String[] keys, String[] args) {
            super(script, keys, args);
        }

        @Override
        void answered(Object result, Throwable error) {
            if (error != null) {
                // Sent and not confirmed: it may have been applied, so it is not sent again (never charged twice).
                shared.metrics().updateDropped();
            }
        }
    }
}
