package dev.llmgateway.proxy;

import dev.llmgateway.dialect.AnswerDecoder;
import dev.llmgateway.dialect.AnswerEvents;
import dev.llmgateway.dialect.ApiError;
import dev.llmgateway.dialect.BodyEncoder;
import dev.llmgateway.dialect.ErrorResponses;
import dev.llmgateway.dialect.SseAnswerReader;
import dev.llmgateway.sse.SseFramer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;

import java.io.IOException;
import java.util.function.Consumer;

/**
 * Relays an answer from a provider of another API, translated (DESIGN.md §1, Translate): the provider's stream
 * framed and decoded event by event, or its body decoded whole, into neutral events that the client's encoder
 * writes in the client's dialect as they come — a stream for a client that asked for one (flushed once per
 * upstream read), else one body with an exact Content-Length. A provider error answer becomes the error the
 * client's API would send, with its status and Retry-After. Usage, the first token and overhead are recorded on
 * the way. A provider error inside a stream reaches the client as an error event of its dialect, then the
 * connection closes; so does a stream cut before its answer ended: never a made-up end.
 * Ownership: every {@link HttpContent} handed in is released here once decoded, or held until its body is whole;
 * each encoded event is written to the client.
 */
final class TranslatingRelay implements Relay {
    /** Error bodies are small; the rest of a larger one is not needed to say what went wrong. */
    private static final int MAX_ERROR_BYTES = 64 * 1024;

    private enum Mode { EVENTS, BODY, ERROR }

    private final Exchange exchange;
    private final Translation translation;
    private final Channel downstream;
    private final Ended ended;
    private final Consumer<String> broken;
    private Mode mode;
    private int status;
    private boolean started;
    private boolean upstreamKeepAlive;
    private HttpResponse upstreamHead;
    private AnswerAccounting answer;
    private AnswerDecoder decoder;
    private BodyEncoder bodyEncoder;
    private SseAnswerReader reader;
    private SseFramer framer;
    /** A provider body gathered whole (an answer to decode, or an error); owned here until released. */
    private CompositeByteBuf gathered;
    private boolean finished;

    TranslatingRelay(Exchange exchange, Translation translation, Ended ended, Consumer<String> broken) {
        this.exchange = exchange;
        this.translation = translation;
        this.downstream = exchange.downstream();
        this.ended = ended;
        this.broken = broken;
    }

    @Override
    public int status() {
        return status;
    }

    @Override
    public boolean started() {
        return started;
    }

    @Override
    public void head(HttpResponse upstream) {
        upstreamHead = upstream;
        upstreamKeepAlive = HttpUtil.isKeepAlive(upstream);
        if (upstream.status().codeClass() != HttpStatusClass.SUCCESS) {
            mode = Mode.ERROR;
            gathered = downstream.alloc().compositeBuffer(Integer.MAX_VALUE);
            return;
        }
        status = HttpResponseStatus.OK.code();
        String model = exchange.route().requestedModel();
        AnswerEvents encoder;
        if (translation.clientStreams()) {
            encoder = translation.streamEncoder(downstream.alloc(), this::writeEvent, model, exchange.requestId());
            HttpResponse client = ClientHeads.made(exchange, upstream, HttpResponseStatus.OK);
            client.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
            ClientHeads.eventStream(exchange, client);
            started = true;
            downstream.write(client, downstream.voidPromise());
        } else {
            bodyEncoder = translation.bodyEncoder(downstream.alloc(), model, exchange.requestId());
            encoder = bodyEncoder;
        }
        answer = new AnswerAccounting(exchange, encoder);
        decoder = translation.decoder(answer);
        String contentType = upstream.headers().get(HttpHeaderNames.CONTENT_TYPE);
        if (ClientHeads.startsWithIgnoreCase(contentType, "text/event-stream")) {
            mode = Mode.EVENTS;
            reader = new SseAnswerReader(decoder);
            framer = new SseFramer(reader);
        } else {
            mode = Mode.BODY;
            gathered = downstream.alloc().compositeBuffer(Integer.MAX_VALUE);
        }
    }

    @Override
    public void content(HttpContent content) {
        if (finished) {
            content.release();
            return;
        }
        long startNanos = System.nanoTime();
        boolean last = content instanceof LastHttpContent;
        switch (mode) {
            case EVENTS -> {
                framer.feed(content.content());
                if (last) {
                    framer.finish();
                    framer = null;
                }
                if (reader.malformed() != null) {
                    fail(reader.malformed());
                } else if (last) {
                    answerOver(decoder.streamEnded());
                } else if (answer.error() != null) {
                    answerOver(true);
                } else if (started) {
                    downstream.flush();
                }
            }
            case BODY -> {
                gathered.addComponent(true, content.content());
                if (gathered.readableBytes() > ResponseRelay.MAX_REWRITE_BYTES) {
                    fail("the answer is larger than the gateway translates (" + ResponseRelay.MAX_REWRITE_BYTES
                            + " bytes)");
                } else if (last) {
                    decodeBody();
                }
            }
            case ERROR -> {
                if (gathered.readableBytes() < MAX_ERROR_BYTES) {
                    gathered.addComponent(true, content.content());
                } else {
                    content.release();
                }
                if (last) {
                    sendError();
                }
            }
        }
        exchange.addOverhead(System.nanoTime() - startNanos);
    }

    private void writeEvent(ByteBuf event) {
        exchange.capture("response", event);
        exchange.addBytesOut(event.readableBytes());
        downstream.write(event, downstream.voidPromise());
    }

    private void decodeBody() {
        CompositeByteBuf body = gathered;
        gathered = null;
        try {
            decoder.body(body, body.readerIndex(), body.readableBytes());
        } catch (IOException malformed) {
            fail("malformed answer: " + malformed.getMessage());
            return;
        } finally {
            body.release();
        }
        answerOver(true);
    }

    /**
     * The provider's answer is over: sent whole to the client, or failed ({@code complete} is false when its stream
     * was cut before its end).
     */
    private void answerOver(boolean complete) {
        if (answer.error() != null) {
            fail("the provider reported an error: " + answer.error().message());
        } else if (!complete || !answer.ended()) {
            fail("the provider's answer ended before it was complete");
        } else if (bodyEncoder != null) {
            sendBody();
        } else {
            finished = true;
            downstream.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT, downstream.voidPromise());
            ended.responseEnded(upstreamKeepAlive);
        }
    }

    private void sendBody() {
        finished = true;
        ByteBuf body = bodyEncoder.body();
        bodyEncoder = null;
        HttpResponse head = ClientHeads.made(exchange, upstreamHead, HttpResponseStatus.OK);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body,
                head.headers(), EmptyHttpHeaders.INSTANCE);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes())
                .set(ClientHeads.OVERHEAD_HEADER, ClientHeads.overheadMicros(exchange));
        exchange.capture("response", body);
        exchange.addBytesOut(body.readableBytes());
        started = true;
        downstream.writeAndFlush(response, downstream.voidPromise());
        ended.responseEnded(upstreamKeepAlive);
    }

    /** The provider's error answer, in the client's dialect, with its status and Retry-After. */
    private void sendError() {
        finished = true;
        CompositeByteBuf body = gathered;
        gathered = null;
        ApiError error;
        try {
            error = translation.error(upstreamHead.status().code(), upstreamHead.headers(), body);
        } finally {
            body.release();
        }
        FullHttpResponse response = ErrorResponses.response(downstream.alloc(), translation.client(), error,
                exchange.requestId());
        response.headers().setAll(ClientHeads.made(exchange, upstreamHead, response.status()).headers())
                .set(ClientHeads.OVERHEAD_HEADER, ClientHeads.overheadMicros(exchange));
        status = response.status().code();
        exchange.capture("response", response.content());
        exchange.addBytesOut(response.content().readableBytes());
        started = true;
        downstream.writeAndFlush(response, downstream.voidPromise());
        ended.responseEnded(upstreamKeepAlive);
    }

    /** The provider's answer cannot become the client's: the proxy fails the exchange (before or after the head). */
    private void fail(String reason) {
        finished = true;
        broken.accept(reason);
    }

    @Override
    public void failMidResponse(ApiError error) {
        finished = true;
        if (mode == Mode.EVENTS || mode == Mode.BODY && translation.clientStreams()) {
            if (answer.error() == null) {
                answer.error(error); // the client's encoder writes it; the provider's own error already went out
            }
            Relay.endStreamAndClose(downstream);
        } else {
            downstream.close();
        }
        discard();
    }

    @Override
    public void discard() {
        if (framer != null) {
            framer.release();
            framer = null;
        }
        if (gathered != null) {
            gathered.release();
            gathered = null;
        }
        if (bodyEncoder != null) {
            bodyEncoder.discard();
            bodyEncoder = null;
        }
    }
}
