package dev.llmgateway.upstream;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;

/**
 * The upstream pipeline, in order: {@value #TLS} (https only; SNI, hostname verification and session resumption
 * for the provider's host and port; the handshake is held to the provider's {@code connect_timeout}, as the TCP
 * connect before it is) → {@value #HTTP_CODEC} ({@link UpstreamHttpCodec}: strict response framing) → {@value #RESPONSE}, the
 * {@link UpstreamConnection} that hands the response to the exchange holding the connection.
 */
final class UpstreamChannelInitializer extends ChannelInitializer<Channel> {
    static final String TLS = "tls";
    static final String HTTP_CODEC = "http-codec";
    static final String RESPONSE = "response";

    private final Provider provider;
    private final SslContext sslContext;
    private final UpstreamConnection connection;

    UpstreamChannelInitializer(Provider provider, SslContext sslContext, UpstreamConnection connection) {
        this.provider = provider;
        this.sslContext = sslContext;
        this.connection = connection;
    }

    @Override
    protected void initChannel(Channel channel) {
        if (provider.tls()) {
            SslHandler tls = sslContext.newHandler(channel.alloc(), provider.host(), provider.port());
            tls.setHandshakeTimeoutMillis(provider.config().connectTimeout().toMillis());
            channel.pipeline().addLast(TLS, tls);
        }
        channel.pipeline()
                .addLast(HTTP_CODEC, new UpstreamHttpCodec())
                .addLast(RESPONSE, connection);
    }
}
