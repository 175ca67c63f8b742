package dev.llmgateway.proxy;

import dev.llmgateway.dialect.ApiError;
import dev.llmgateway.exchange.Exchange;
import dev.llmgateway.json.SecretScrubber;
import dev.llmgateway.sse.SseEventHandler;
import dev.llmgateway.sse.SseFramer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;

import java.util.function.Consumer;

/**
 * The skeleton every relay of one upstream answer to the client shares (docs/ARCHITECTURE.md §5): the three ways
 * an answer goes out, and the one place each of them ends. The behaviours are subclasses: {@link ResponseRelay}
 * (the client's own API: passed through, with {@code model} rewritten) and {@link TranslatingRelay} (another API,
 * translated).
 * <ul>
 *   <li>pass-through: status, headers and bytes as they come ({@link #passThrough});</li>
 *   <li>stream: events go into one output buffer per upstream read ({@link #emit}), written to the client as one
 *   chunk and flushed when the read is done ({@link #readComplete}) — one pipeline write and one {@code writev} per
 *   read however many events (and provider chunks) it held, the way a proxy with buffering off forwards what it
 *   read;</li>
 *   <li>body: gathered without copying ({@link #gather}: the read buffer, a composite of them from a second on, at most
 *   {@link #MAX_BODY_BYTES}), then sent whole with an exact Content-Length ({@link #sendWhole}).</li>
 * </ul>
 * Runs on the exchange's event loop. Ownership: every {@link HttpContent} handed in is written to the client,
 * gathered (then owned here until sent or {@linkplain #discard discarded}) or released.
 */
abstract class Relay {
    /** The largest body held whole to rewrite or translate. */
    static final int MAX_BODY_BYTES = 32 * 1024 * 1024;

    /** Hears that the response reached the client whole. */
    interface Ended {
        void responseEnded(boolean upstreamReusable);
    }

    final Exchange exchange;
    final Channel downstream;
    /** Every key the call may send: masked in headers, errors, whole bodies and a stream's error events. */
    final SecretScrubber keys;
    /** The key this attempt sent: masked in every other stream event (see {@link KeyMasks}). */
    final SecretScrubber sentKey;
    private final Ended ended;
    /** Hears that the provider's answer is unusable (malformed, cut, or too large); the call fails the exchange. */
    private final Consumer<String> broken;
    private int status;
    private boolean started;
    private boolean upstreamKeepAlive;
    /**
     * A body being gathered whole: its first piece as it came (most bodies come in one read, and need no composite
     * around them), a composite of the pieces from the second on; owned here until handed on or discarded.
     */
    private ByteBuf gathered;
    private int gatheredPieces;
    /** The events of the current upstream read, not yet written; owned here until written. */
    private ByteBuf out;

    Relay(Exchange exchange, KeyMasks keys, Ended ended, Consumer<String> broken) {
        this.exchange = exchange;
        this.downstream = exchange.downstream();
        this.keys = keys.callKeys();
        this.sentKey = keys.sentKey();
        this.ended = ended;
        this.broken = broken;
    }

    /** The upstream response head; the subclass chooses how its body goes out. */
    final void head(HttpResponse upstream) {
        upstreamKeepAlive = HttpUtil.isKeepAlive(upstream);
        status = upstream.status().code();
        onHead(upstream);
    }

    /** A piece of the upstream body; ownership moves here. */
    final void content(HttpContent content) {
        long startNanos = System.nanoTime();
        onContent(content, content instanceof LastHttpContent);
        exchange.addOverhead(System.nanoTime() - startNanos);
    }

    abstract void onHead(HttpResponse upstream);

    abstract void onContent(HttpContent content, boolean last);

    /**
     * The upstream broke after the client got the head: a stream gets an error event in the client's dialect and a
     * clean end, then the connection closes; any other body is cut off by closing, which the client sees as a
     * truncated response rather than a complete one.
     */
    abstract void failMidResponse(ApiError error);

    /** True once the client has been sent the response head: from then on a failure cannot become a 502. */
    final boolean started() {
        return started;
    }

    /** The status the client was (or is being) sent. */
    final int status() {
        return status;
    }

    final void status(int status) {
        this.status = status;
    }

    /** Writes the head of a response whose body follows (a stream, or a passed-through body). */
    final void sendHead(HttpResponse head) {
        started = true;
        downstream.write(head, downstream.voidPromise());
    }

    /** Pass-through: the piece goes out as it came; the last one ends the response. */
    final void passThrough(HttpContent content, boolean last) {
        exchange.capture("response", content.content());
        exchange.addBytesOut(content.content().readableBytes());
        downstream.writeAndFlush(content, downstream.voidPromise());
        if (last) {
            ended.responseEnded(upstreamKeepAlive);
        }
    }

    /**
     * Adds a piece to the body being gathered; false (the body is then dropped) when it grew past
     * {@link #MAX_BODY_BYTES}.
     */
    final boolean gather(HttpContent content) {
        ByteBuf piece = content.content();
        if (gatheredPieces == 0) {
            gathered = piece;
        } else if (gatheredPieces == 1) {
            gathered = downstream.alloc().compositeBuffer(Integer.MAX_VALUE).addComponents(true, gathered, piece);
        } else {
            ((CompositeByteBuf) gathered).addComponent(true, piece);
        }
        gatheredPieces++;
        return gathered.readableBytes() <= MAX_BODY_BYTES;
    }

    /** The body gathered so far, now the caller's. */
    final ByteBuf takeGathered() {
        ByteBuf body = gatheredPieces == 0 ? Unpooled.EMPTY_BUFFER : gathered;
        gathered = null;
        gatheredPieces = 0;
        return body;
    }

    final int gatheredBytes() {
        return gatheredPieces == 0 ? 0 : gathered.readableBytes();
    }

    /** The output buffer for this read's events, with room for {@code bytes} more. */
    final ByteBuf out(int bytes) {
        if (out == null) {
            out = downstream.alloc().directBuffer(Math.max(bytes, 4096));
        }
        return out.ensureWritable(bytes);
    }

    /** One whole client event, copied into this read's output, the sent key masked; the caller keeps {@code event}. */
    final void emit(ByteBuf event) {
        ByteBuf target = out(event.readableBytes());
        int from = target.writerIndex();
        target.writeBytes(event, event.readerIndex(), event.readableBytes());
        maskKeys(from, sentKey);
        emitted(from);
    }

    /** Counts an event the subclass wrote into {@link #out} itself, from {@code from} to the writer index. */
    final void emitted(int from) {
        exchange.eventStreamed();
        exchange.addBytesOut(out.writerIndex() - from);
        if (exchange.capturing()) {
            exchange.capture("response", out.slice(from, out.writerIndex() - from)); // a view made per event only then
        }
    }

    /**
     * Masks {@code keys} in the event this read's output holds from {@code from} on, before it is counted: one scan
     * of its bytes per key, and a copy only when one is there.
     */
    final void maskKeys(int from, SecretScrubber keys) {
        if (keys.isEmpty() || !keys.occursIn(out, from, out.writerIndex())) {
            return;
        }
        ByteBuf masked = keys.scrub(downstream.alloc(), out.copy(from, out.writerIndex() - from));
        try {
            out.writerIndex(from);
            out(masked.readableBytes()).writeBytes(masked, masked.readerIndex(), masked.readableBytes());
        } finally {
            masked.release();
        }
    }

    /** The upstream read is done: the events it made go to the client as one chunk. */
    final void readComplete() {
        writeOut();
        downstream.flush(); // the head too, while no event is whole yet
    }

    private void writeOut() {
        if (out != null) {
            ByteBuf events = out;
            out = null;
            downstream.write(new DefaultHttpContent(events), downstream.voidPromise());
        }
    }

    /** The stream reached its end: what is left and the last chunk go out, and the response is over. */
    final void endStream() {
        writeOut();
        downstream.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT, downstream.voidPromise());
        ended.responseEnded(upstreamKeepAlive);
    }

    /** Ends a stream the client has the head of with {@code errorEvent} (or none), then closes the connection. */
    final void endStreamAndClose(ByteBuf errorEvent) {
        writeOut();
        if (errorEvent != null) {
            downstream.write(new DefaultHttpContent(errorEvent), downstream.voidPromise());
        }
        downstream.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE);
    }

    /**
     * Sends a whole response — {@code head}'s status and headers, {@code body} (ownership moves on) with its exact
     * Content-Length and the overhead header — and ends it.
     */
    final void sendWhole(HttpResponse head, ByteBuf body) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, head.status(), body,
                head.headers(), EmptyHttpHeaders.INSTANCE);
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes())
                .set(ClientHeads.OVERHEAD_HEADER, ClientHeads.overheadMicros(exchange));
        ClientHeads.cost(exchange, response.headers());
        status = head.status().code();
        exchange.capture("response", body);
        exchange.addBytesOut(body.readableBytes());
        started = true;
        downstream.writeAndFlush(response, downstream.voidPromise());
        ended.responseEnded(upstreamKeepAlive);
    }

    /** A framer for the provider's stream, each event bounded by the provider's {@code max_sse_event_bytes}. */
    final SseFramer framer(SseEventHandler handler) {
        return new SseFramer(handler, maxSseEventBytes());
    }

    /** Why a stream failed whose framer stopped on an event over the limit. */
    final String oversizedEvent() {
        return "an event of the provider's stream is larger than max_sse_event_bytes (" + maxSseEventBytes()
                + " bytes)";
    }

    private int maxSseEventBytes() {
        return exchange.route().provider().config().maxSseEventBytes();
    }

    /** The provider's answer cannot become the client's; the reason (it may quote the answer) is told masked. */
    final void broken(String reason) {
        broken.accept(keys.scrub(reason));
    }

    /** Frees whatever is held; for exchanges that end without this relay finishing. */
    void discard() {
        if (gatheredPieces > 0) {
            gathered.release();
            gathered = null;
            gatheredPieces = 0;
        }
        if (out != null) {
            out.release();
            out = null;
        }
    }
}
