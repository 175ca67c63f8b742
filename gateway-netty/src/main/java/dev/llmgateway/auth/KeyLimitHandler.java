package dev.llmgateway.auth;

import dev.llmgateway.dialect.ApiError;
import dev.llmgateway.exchange.Exchange;
import dev.llmgateway.exchange.Principal;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Holds each authenticated request to its key's limits (429 with Retry-After when over one). Sits right after
 * authentication and before the body is parsed or anything goes upstream, so a refused request costs little. An
 * admitted exchange returns its concurrency slot and is charged its real token usage when it ends. Limits counted
 * per replica are decided at once; limits kept in shared state ({@link SharedKeyLimiter}) are asked of Redis, and the
 * exchange goes on from this handler's place, on its own event loop, when the answer comes: the handler never waits.
 */
@ChannelHandler.Sharable
public final class KeyLimitHandler extends ChannelInboundHandlerAdapter {

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof Exchange exchange) || exchange.principal() == null) {
            ctx.fireChannelRead(msg);
            return;
        }
        Principal.Limiter limiter = exchange.principal().limiter();
        if (limiter instanceof SharedKeyLimiter shared) {
            shared.admit(exchange, () -> ctx.fireChannelRead(exchange));
            return;
        }
        ApiError refused = limiter.admit();
        if (refused != null) {
            exchange.fail(refused);
            return;
        }
        exchange.onEnd(limiter::finished);
        ctx.fireChannelRead(exchange);
    }
}
