package dev.llmgateway.upstream;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.ssl.SslContext;

/**
 * The upstream pipeline, in order: {@value #TLS} (https only; SNI and hostname verification for the provider's
 * host) → {@value #HTTP_CODEC} ({@link UpstreamHttpCodec}: strict response framing) → {@value #RESPONSE}, the
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
            channel.pipeline().addLast(TLS, sslContext.newHandler(channel.alloc(), provider.host(), provider.port()));
        }
        channel.pipeline()
                .addLast(HTTP_CODEC, new UpstreamHttpCodec())
                .addLast(RESPONSE, connection);
    }
}
