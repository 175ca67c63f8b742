package dev.llmgateway.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2CodecUtil;

import java.util.function.Consumer;

/**
 * h2c with prior knowledge (RFC 9113 §3.3): looks at a plain-text connection's first bytes. When they are the
 * HTTP/2 client preface ({@code PRI * HTTP/2.0 ...}) the connection becomes an HTTP/2 one ({@code toHttp2}, which
 * takes this handler out); at the first byte that differs it is an HTTP/1.1 connection and this handler takes
 * itself out. No HTTP/1.1 request can begin with the preface, so allowing it costs an HTTP/1.1 client nothing but
 * this look at its first read. The bytes read go on, in the same read, to the handler after it (the HTTP/1.1 codec,
 * or the HTTP/2 codec put in its place), which then owns them; a read too short to decide is held (owned here,
 * released if the connection closes first) and goes on with the next. Not a {@code ByteToMessageDecoder}: its
 * removal would signal a second end of read, which the read timeouts would take for the start of a new request.
 */
final class Http2PriorKnowledge extends ChannelInboundHandlerAdapter {
    private static final ByteBuf PREFACE = Http2CodecUtil.connectionPrefaceBuf();

    private final Consumer<ChannelHandlerContext> toHttp2;
    /** A start of the preface, read but too short to decide on. */
    private ByteBuf held;

    Http2PriorKnowledge(Consumer<ChannelHandlerContext> toHttp2) {
        this.toHttp2 = toHttp2;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf read)) {
            ctx.fireChannelRead(msg);
            return;
        }
        ByteBuf bytes = held == null ? read : Unpooled.wrappedBuffer(held, read);
        held = null;
        int length = Math.min(bytes.readableBytes(), PREFACE.readableBytes());
        if (!ByteBufUtil.equals(PREFACE, PREFACE.readerIndex(), bytes, bytes.readerIndex(), length)) {
            ctx.pipeline().remove(this);
            ctx.fireChannelRead(bytes);
        } else if (length == PREFACE.readableBytes()) {
            toHttp2.accept(ctx);
            ctx.fireChannelRead(bytes);
        } else {
            held = bytes;
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        releaseHeld();
        super.channelInactive(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releaseHeld();
    }

    private void releaseHeld() {
        if (held != null) {
            held.release();
            held = null;
        }
    }
}
