package dev.llmgateway.shared;

import dev.llmgateway.config.KeyLimits;
import io.netty.channel.EventLoop;

/**
 * One gateway key's counters in Redis, as one config snapshot limits them: the Redis keys (all with the key's name
 * as hash tag, so a Redis Cluster would keep them together) and the script arguments that do not change per
 * request, made once. Counts follow the key's {@code name}, like the per-replica counters across a reload.
 */
public final class KeyCounters {
    private final SharedState state;
    private final String keyName;
    private final KeyLimits limits;
    final String[] admitKeys;
    final String[] finishKeys;
    final String slotsKey;
    private final String requestsPerMinute;
    private final String tokensPerMinute;
    private final String maxConcurrent;
    private final String tokenBudget;
    private final String monthly;

    KeyCounters(SharedState state, String prefix, String keyName, KeyLimits limits) {
        this.state = state;
        this.keyName = keyName;
        this.limits = limits;
        String base = prefix + "{" + keyName + "}:";
        String requests = base + "requests";
        String tokens = base + "tokens";
        this.slotsKey = base + "slots";
        String budget = base + "budget";
        this.admitKeys = new String[] {requests, tokens, slotsKey, budget};
        this.finishKeys = new String[] {tokens, slotsKey, budget};
        this.requestsPerMinute = Long.toString(limits.requestsPerMinute());
        this.tokensPerMinute = Long.toString(limits.tokensPerMinute());
        this.maxConcurrent = Integer.toString(limits.maxConcurrent());
        this.tokenBudget = Long.toString(limits.tokenBudget());
        this.monthly = limits.budgetPeriod() == KeyLimits.BudgetPeriod.MONTH ? "1" : "0";
    }

    public String keyName() {
        return keyName;
    }

    public KeyLimits limits() {
        return limits;
    }

    /**
     * Asks Redis, on {@code loop}'s own connection, to admit one request; {@code admission} hears the answer on
     * {@code loop} (at once when Redis is known to be away).
     */
    public void admit(EventLoop loop, Admission admission) {
        RedisLink link = state.link(loop);
        if (link == null) {
            // Not one of the gateway's event loops (nothing the server runs): no connection to ask on.
            admission.unavailable();
            return;
        }
        link.admit(this, admission);
    }

    /**
     * An admitted request ended having used {@code tokens} (input + output): its slot (null: none) goes back and the
     * tokens are charged, on {@code loop}'s connection, or once Redis is back when it is away (bounded).
     */
    public void finish(EventLoop loop, Slot slot, long tokens) {
        RedisLink link = state.link(loop);
        if (link != null) {
            link.finish(this, slot, tokens);
        }
    }

    boolean holdsSlots() {
        return limits.maxConcurrent() > 0;
    }

    String[] admitArgs(String slotId, String leaseMillis) {
        return new String[] {requestsPerMinute, tokensPerMinute, maxConcurrent, tokenBudget, monthly,
                slotId == null ? "" : slotId, leaseMillis};
    }
}
