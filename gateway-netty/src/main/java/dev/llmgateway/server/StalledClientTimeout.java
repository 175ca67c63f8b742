package dev.llmgateway.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

import java.time.Duration;

/**
 * Closes a client connection that has stayed unwritable — the client reads nothing while the gateway has bytes for
 * it — for {@code stalled_client_timeout}, as nginx's {@code send_timeout} does. Backpressure pauses the upstream
 * while the client is not reading, so without this a client that never reads would hold its stream and the
 * upstream connection for good; closing the client connection frees both (the proxy handler cancels the call
 * when the connection goes inactive). Watches writability changes: one scheduled check, which looks at when the
 * connection became unwritable when it fires, rather than a timer per change.
 */
public final class StalledClientTimeout extends ChannelInboundHandlerAdapter {
    private final long timeoutNanos;
    private final Runnable onClose;
    /** When the connection last became unwritable; -1 while it is writable. */
    private long unwritableSince = -1;
    private final ScheduledCheck check = new ScheduledCheck(this::check);

    /** @param onClose told of each connection closed for stalling (a metric) */
    public StalledClientTimeout(Duration timeout, Runnable onClose) {
        this.timeoutNanos = timeout.toNanos();
        this.onClose = onClose;
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        if (ctx.channel().isWritable()) {
            unwritableSince = -1;
        } else if (unwritableSince < 0 && timeoutNanos > 0) {
            unwritableSince = System.nanoTime();
            if (!check.pending()) {
                check.schedule(ctx, timeoutNanos);
            }
        }
        super.channelWritabilityChanged(ctx);
    }

    private void check(ChannelHandlerContext ctx) {
        if (unwritableSince < 0 || !ctx.channel().isActive()) {
            return;
        }
        long left = unwritableSince + timeoutNanos - System.nanoTime();
        if (left > 0) {
            check.schedule(ctx, left);
            return;
        }
        onClose.run();
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        check.cancel();
        super.channelInactive(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        check.cancel();
    }
}
