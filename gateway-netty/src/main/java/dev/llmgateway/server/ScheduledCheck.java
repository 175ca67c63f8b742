package dev.llmgateway.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.Future;

import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A handler's one pending check on its channel's event loop, for limits that are checked when they may have run
 * out rather than re-armed at every event: scheduled, run once (it may schedule itself again), cancelled when the
 * channel goes. Touched only on that loop.
 */
final class ScheduledCheck {
    private final Consumer<ChannelHandlerContext> check;
    private Future<?> pending;

    ScheduledCheck(Consumer<ChannelHandlerContext> check) {
        this.check = check;
    }

    void schedule(ChannelHandlerContext ctx, long delayNanos) {
        pending = ctx.executor().schedule(() -> {
            pending = null;
            check.accept(ctx);
        }, delayNanos, TimeUnit.NANOSECONDS);
    }

    boolean pending() {
        return pending != null;
    }

    void cancel() {
        if (pending != null) {
            pending.cancel(false);
            pending = null;
        }
    }
}
