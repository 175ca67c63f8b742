package dev.llmgateway.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http2.Http2CodecUtil;

import java.util.List;
import java.util.function.Consumer;

/**
 * h2c with prior knowledge (RFC 9113 §3.3): looks at a plain-text connection's first bytes. When they are the
 * HTTP/2 client preface ({@code PRI * HTTP/2.0 ...}) the connection becomes an HTTP/2 one ({@code toHttp2}, which
 * takes this handler out); at the first byte that differs it is an HTTP/1.1 connection and this handler takes
 * itself out. No HTTP/1.1 request can begin with the preface, so allowing it costs an HTTP/1.1 client nothing but
 * this look at its first read. Holds the bytes read until it decides; on removal they go on to the next handler
 * (the HTTP/1.1 codec, or the HTTP/2 codec put in its place), which then owns them.
 */
final class Http2PriorKnowledge extends ByteToMessageDecoder {
    private static final ByteBuf PREFACE = Http2CodecUtil.connectionPrefaceBuf();

    private final Consumer<ChannelHandlerContext> toHttp2;

    Http2PriorKnowledge(Consumer<ChannelHandlerContext> toHttp2) {
        this.toHttp2 = toHttp2;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int length = Math.min(in.readableBytes(), PREFACE.readableBytes());
        if (!ByteBufUtil.equals(PREFACE, PREFACE.readerIndex(), in, in.readerIndex(), length)) {
            ctx.pipeline().remove(this);
        } else if (length == PREFACE.readableBytes()) {
            toHttp2.accept(ctx);
        }
    }
}
