package dev.llmgateway.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;

import java.util.function.Consumer;

/**
 * HTTP/2 over TLS (RFC 9113 §3.2): once the handshake is done, a client that chose {@code h2} by ALPN gets an
 * HTTP/2 connection ({@code toHttp2}); one that chose {@code http/1.1}, or sent no ALPN, keeps the HTTP/1.1
 * pipeline already in place. Netty's base class holds what was read before the handshake ended and hands it on,
 * to whichever pipeline follows, when it takes itself out.
 */
final class Http2Alpn extends ApplicationProtocolNegotiationHandler {
    private final Consumer<ChannelHandlerContext> toHttp2;

    Http2Alpn(Consumer<ChannelHandlerContext> toHttp2) {
        super(ApplicationProtocolNames.HTTP_1_1);
        this.toHttp2 = toHttp2;
    }

    @Override
    protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
        if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
            toHttp2.accept(ctx);
        }
    }
}
