package dev.llmgateway.testutil;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;

/** Counts the flushes that pass on their way to the socket: each is one {@code writev} on a real connection. */
public final class FlushCounter extends ChannelOutboundHandlerAdapter {
    private int flushes;

    @Override
    public void flush(ChannelHandlerContext ctx) {
        flushes++;
        ctx.flush();
    }

    /** Flushes since the last call. */
    public int take() {
        int counted = flushes;
        flushes = 0;
        return counted;
    }
}
