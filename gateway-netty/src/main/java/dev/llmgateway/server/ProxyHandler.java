package dev.llmgateway.server;

import dev.llmgateway.exchange.Exchange;
import dev.llmgateway.proxy.ProxyCall;
import dev.llmgateway.server.DrainHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * Last handler of the downstream pipeline: starts one {@link ProxyCall} per routed exchange and tells it when the
 * client goes away (cancel: the upstream connection is closed, not pooled) or can take more bytes again
 * (backpressure: upstream reading resumes), or when a graceful drain reaches its deadline (the call is ended with
 * a {@code draining} error). One call at a time per connection; the request sequencer upstream in
 * the pipeline keeps pipelined requests waiting until the current response is written.
 */
public final class ProxyHandler extends ChannelInboundHandlerAdapter {
    private final ProxyCall.Factory calls;
    private ProxyCall current;

    public ProxyHandler(ProxyCall.Factory calls) {
        this.calls = calls;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof Exchange exchange)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        current = calls.start(exchange, this::ended);
    }

    private void ended(ProxyCall call) {
        if (current == call) {
            current = null;
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt != DrainHandler.Event.DEADLINE) {
            super.userEventTriggered(ctx, evt);
            return;
        }
        if (current != null) {
            current.drainExpired();
            current = null;
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        if (current != null && ctx.channel().isWritable()) {
            current.downstreamWritable();
        }
        super.channelWritabilityChanged(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (current != null) {
            current.cancel();
            current = null;
        }
        super.channelInactive(ctx);
    }
}
