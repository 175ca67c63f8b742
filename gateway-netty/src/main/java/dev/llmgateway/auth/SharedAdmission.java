package dev.llmgateway.auth;

import dev.llmgateway.dialect.ApiError;
import dev.llmgateway.exchange.Exchange;
import dev.llmgateway.shared.Admission;
import dev.llmgateway.shared.Limit;
import dev.llmgateway.shared.Slot;
import io.netty.channel.EventLoop;

import java.util.function.LongConsumer;

/**
 * One request's way through its key's shared limits, from the script call to the request's end. Runs on the
 * exchange's event loop: the Redis connection it asks on belongs to the same loop.
 * <pre>
 *  WAITING ─ admitted ─────────────────────▶ SHARED (holds its slot in Redis) ─ exchange ends ─▶ ENDED
 *     │    ─ Redis cannot answer, "local" ─▶ LOCAL  (counted per replica)     ─ exchange ends ─▶ ENDED
 *     └─ refused (429), denied (503), or the client left before the answer ─────────────────▶ ENDED
 * </pre>
 * An admitted request whose client left meanwhile gives its slot back at once; one that ends charges its exact
 * tokens (streams and cancelled ones too: the exchange's usage when it ends) where it was counted.
 */
final class SharedAdmission implements Admission, LongConsumer {
    private enum State { WAITING, SHARED, LOCAL, ENDED }

    private final SharedKeyLimiter limiter;
    private final Exchange exchange;
    private final Runnable proceed;
    private final EventLoop loop;
    private State state = State.WAITING;
    private Slot slot;

    SharedAdmission(SharedKeyLimiter limiter, Exchange exchange, Runnable proceed) {
        this.limiter = limiter;
        this.exchange = exchange;
        this.proceed = proceed;
        this.loop = exchange.downstream().eventLoop();
    }

    void start() {
        limiter.counters().admit(loop, this);
    }

    @Override
    public void admitted(Slot slot) {
        if (clientLeft()) {
            limiter.counters().finish(loop, slot, 0);
            return;
        }
        this.slot = slot;
        state = State.SHARED;
        exchange.onEnd(this);
        proceed.run();
    }

    @Override
    public void refused(Limit limit, long retryAfterSeconds) {
        answer(limiter.refusal(limit, retryAfterSeconds));
    }

    @Override
    public void unavailable() {
        if (limiter.deniesWhenUnavailable()) {
            answer(ApiError.sharedLimitsUnavailable());
            return;
        }
        if (clientLeft()) {
            return;
        }
        ApiError refused = limiter.admit();
        if (refused != null) {
            answer(refused);
            return;
        }
        state = State.LOCAL;
        exchange.onEnd(this);
        proceed.run();
    }

    /** The exchange ended having used {@code usedTokens}: the slot goes back and the tokens are charged. */
    @Override
    public void accept(long usedTokens) {
        State was = state;
        state = State.ENDED;
        if (was == State.SHARED) {
            limiter.counters().finish(loop, slot, usedTokens);
        } else if (was == State.LOCAL) {
            limiter.finished(usedTokens);
        }
    }

    private void answer(ApiError error) {
        if (!clientLeft()) {
            state = State.ENDED;
            exchange.fail(error);
        }
    }

    /** The client went away while Redis was asked: the exchange ends as cancelled, and nothing goes on. */
    private boolean clientLeft() {
        if (exchange.endIfClientLeft()) {
            state = State.ENDED;
            return true;
        }
        return false;
    }
}
