package dev.llmgateway.upstream;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Http2StreamAdapter} on a real client HTTP/2 codec: a request whose stream the codec itself refuses to open
 * (the provider's SETTINGS_MAX_CONCURRENT_STREAMS, lowered, is reached) never left the gateway, so it fails as a
 * {@link RefusedStreamException}, which the proxy retries free.
 */
class Http2StreamAdapterTest {
    @Test
    void aStreamTheCodecRefusesOverTheProvidersLimitFailsAsRefused() {
        EmbeddedChannel connection = new EmbeddedChannel(Http2FrameCodecBuilder.forClient().build(),
                new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
        try {
            // What the codec does when the provider's SETTINGS lower the limit to one stream.
            connection.pipeline().get(Http2FrameCodec.class).connection().local().maxActiveStreams(1);

            ChannelFuture first = send(connection);
            ChannelFuture second = send(connection);

            assertTrue(first.isSuccess(), String.valueOf(first.cause()));
            assertTrue(second.isDone());
            assertInstanceOf(RefusedStreamException.class, second.cause(), String.valueOf(second.cause()));
        } finally {
            Object written;
            while ((written = connection.readOutbound()) != null) {
                ReferenceCountUtil.release(written);
            }
            connection.finishAndReleaseAll();
        }
    }

    private static ChannelFuture send(EmbeddedChannel connection) {
        Http2StreamChannel stream = new Http2StreamChannelBootstrap(connection)
                .handler(new ChannelInitializer<Http2StreamChannel>() {
                    @Override
                    protected void initChannel(Http2StreamChannel channel) {
                        channel.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(false),
                                Http2StreamAdapter.INSTANCE);
                    }
                }).open().syncUninterruptibly().getNow();
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST,
                "/v1/chat/completions", Unpooled.copiedBuffer(new byte[] {'{', '}'}));
        request.headers().set(HttpHeaderNames.HOST, "provider").setInt(HttpHeaderNames.CONTENT_LENGTH, 2);
        ChannelFuture written = stream.writeAndFlush(request);
        connection.runPendingTasks();
        return written;
    }
}
