package dev.llmgateway.upstream;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SslContext;

/**
 * The upstream pipeline, in order: {@value #TLS} (https only; SNI and hostname verification for the provider's
 * host), then for HTTP/1.1 {@value #HTTP_CODEC} ({@link UpstreamHttpCodec}: strict response framing) →
 * {@value #RESPONSE}, the {@link UpstreamConnection} that hands the response to the exchange holding the connection;
 * for HTTP/2 (over TLS once {@value #ALPN} saw the provider choose {@code h2}) {@value #H2_CODEC} (frames, flow control, SETTINGS, GOAWAY) → {@value #H2_CONNECTION}, the
 * {@link Http2Connection}, which must hear SETTINGS and GOAWAY before the streams do → {@value #H2_STREAMS} (one child
 * channel per stream, whose pipeline {@link Http2Connection} makes).
 */
final class UpstreamChannelInitializer extends ChannelInitializer<Channel> {
    static final String TLS = "tls";
    static final String HTTP_CODEC = "http-codec";
    static final String RESPONSE = "response";
    static final String ALPN = "alpn";
    static final String H2_CODEC = "h2-codec";
    static final String H2_STREAMS = "h2-streams";
    static final String H2_CONNECTION = "h2-connection";
    static final String H2_STREAM_CODEC = "h2-stream-codec";
    static final String H2_STREAM = "h2-stream";
    /**
     * Each stream's receive window: what a stream whose client stopped reading may hold in the gateway. Four times
     * the protocol's default, so a long stream from a distant provider is not held to 64 KiB a round trip.
     */
    static final int STREAM_WINDOW_BYTES = 256 * 1024;
    /** The largest response head taken from a provider, as on HTTP/1.1 ({@link UpstreamHttpCodec}). */
    private static final int MAX_HEADER_LIST_BYTES = 65536;

    private final Provider provider;
    private final SslContext sslContext;
    private final ChannelHandler last;
    private final boolean http2;

    private UpstreamChannelInitializer(Provider provider, SslContext sslContext, ChannelHandler last, boolean http2) {
        this.provider = provider;
        this.sslContext = sslContext;
        this.last = last;
        this.http2 = http2;
    }

    static UpstreamChannelInitializer http1(Provider provider, SslContext sslContext, UpstreamConnection connection) {
        return new UpstreamChannelInitializer(provider, sslContext, connection, false);
    }

    static UpstreamChannelInitializer http2(Provider provider, SslContext sslContext, Http2Connection connection) {
        return new UpstreamChannelInitializer(provider, sslContext, connection, true);
    }

    @Override
    protected void initChannel(Channel channel) {
        if (provider.tls()) {
            channel.pipeline().addLast(TLS, sslContext.newHandler(channel.alloc(), provider.host(), provider.port()));
        }
        if (!http2) {
            channel.pipeline()
                    .addLast(HTTP_CODEC, new UpstreamHttpCodec())
                    .addLast(RESPONSE, last);
        } else if (provider.tls()) {
            channel.pipeline().addLast(ALPN, new AlpnChoice((Http2Connection) last));
        } else {
            addHttp2(channel.pipeline(), last); // h2c with prior knowledge
        }
    }

    private static void addHttp2(ChannelPipeline pipeline, ChannelHandler connection) {
        pipeline.addLast(H2_CODEC, Http2FrameCodecBuilder.forClient()
                        .initialSettings(Http2Settings.defaultSettings()
                                .pushEnabled(false)
                                .initialWindowSize(STREAM_WINDOW_BYTES)
                                .maxHeaderListSize(MAX_HEADER_LIST_BYTES))
                        .validateHeaders(true)
                        .build())
                .addLast(H2_CONNECTION, connection)
                .addLast(H2_STREAMS, new Http2MultiplexHandler(NoPushedStreams.INSTANCE));
    }

    /** After the TLS handshake: HTTP/2 when the provider chose {@code h2} by ALPN, else the pool decides. */
    private static final class AlpnChoice extends ApplicationProtocolNegotiationHandler {
        private final Http2Connection connection;

        AlpnChoice(Http2Connection connection) {
            super(ApplicationProtocolNames.HTTP_1_1); // a provider that chose nothing speaks HTTP/1.1
            this.connection = connection;
        }

        @Override
        protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
            if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
                addHttp2(ctx.pipeline(), connection);
            } else {
                connection.http2NotChosen(protocol);
            }
        }

        @Override
        protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
            connection.openFailed(cause);
            ctx.close();
        }
    }

    /** The handler for streams the provider opens: none can be opened, push is off (a PUSH_PROMISE is an error). */
    @ChannelHandler.Sharable
    private static final class NoPushedStreams extends ChannelInboundHandlerAdapter {
        static final NoPushedStreams INSTANCE = new NoPushedStreams();

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.close();
        }
    }
}
