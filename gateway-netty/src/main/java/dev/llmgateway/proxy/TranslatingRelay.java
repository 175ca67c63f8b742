package dev.llmgateway.proxy;

import dev.llmgateway.exchange.Exchange;
import dev.llmgateway.dialect.AnswerDecoder;
import dev.llmgateway.dialect.AnswerEvents;
import dev.llmgateway.dialect.ApiError;
import dev.llmgateway.dialect.BodyEncoder;
import dev.llmgateway.dialect.ErrorResponses;
import dev.llmgateway.dialect.SseAnswerReader;
import dev.llmgateway.sse.SseFramer;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;

import java.io.IOException;
import java.util.function.Consumer;

/**
 * Relays an answer from a provider of another API, translated (docs/ARCHITECTURE.md §5): the provider's stream
 * framed and decoded event by event, or its body decoded whole, into neutral events that the client's encoder
 * writes in the client's dialect as they come — a stream for a client that asked for one (one chunk and one flush
 * per upstream read), else one body with an exact Content-Length. A provider error answer becomes the error the
 * client's API would send, with its status and Retry-After; the provider's keys are masked in what it says, in a
 * whole body, and in each event of a stream (the key the attempt sent, {@link KeyMasks}). Usage and the first token
 * are recorded on the way. A provider error inside a stream reaches the client as an error event of its dialect,
 * then the connection closes; so does a stream cut before its answer ended: never a made-up end.
 * Ownership: as {@link Relay}; each piece of a stream is released once decoded, each encoded event once copied out.
 */
final class TranslatingRelay extends Relay {
    /** Error bodies are small; the rest of a larger one is not needed to say what went wrong. */
    private static final int MAX_ERROR_BYTES = 64 * 1024;

    private enum Mode { EVENTS, BODY, ERROR }

    private final Translation translation;
    private Mode mode;
    private HttpResponse upstreamHead;
    private AnswerAccounting answer;
    private AnswerDecoder decoder;
    private BodyEncoder bodyEncoder;
    private SseAnswerReader reader;
    private SseFramer framer;
    private boolean finished;

    TranslatingRelay(Exchange exchange, Translation translation, KeyMasks keys, Ended ended,
                     Consumer<String> broken) {
        super(exchange, keys, ended, broken);
        this.translation = translation;
    }

    @Override
    void onHead(HttpResponse upstream) {
        upstreamHead = upstream;
        if (upstream.status().codeClass() != HttpStatusClass.SUCCESS) {
            mode = Mode.ERROR;
            return;
        }
        status(HttpResponseStatus.OK.code());
        String model = exchange.route().requestedModel();
        AnswerEvents encoder;
        if (translation.clientStreams()) {
            encoder = translation.streamEncoder(downstream.alloc(), this::writeEvent, model, exchange.requestId());
            HttpResponse client = ClientHeads.made(exchange, upstream, HttpResponseStatus.OK, keys);
            client.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
            ClientHeads.eventStream(exchange, client);
            sendHead(client);
        } else {
            bodyEncoder = translation.bodyEncoder(downstream.alloc(), model, exchange.requestId());
            encoder = bodyEncoder;
        }
        answer = new AnswerAccounting(exchange, encoder, keys);
        decoder = translation.decoder(answer);
        String contentType = upstream.headers().get(HttpHeaderNames.CONTENT_TYPE);
        if (ClientHeads.startsWithIgnoreCase(contentType, "text/event-stream")) {
            mode = Mode.EVENTS;
            reader = new SseAnswerReader(decoder);
            framer = framer(reader);
        } else {
            mode = Mode.BODY;
        }
    }

    @Override
    void onContent(HttpContent content, boolean last) {
        if (finished) {
            content.release();
            return;
        }
        switch (mode) {
            case EVENTS -> {
                framer.feed(content.content());
                if (framer.oversized()) {
                    fail(oversizedEvent());
                    return;
                }
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
                }
            }
            case BODY -> {
                if (!gather(content)) {
                    fail("the answer is larger than the gateway translates (" + MAX_BODY_BYTES + " bytes)");
                } else if (last) {
                    decodeBody();
                }
            }
            case ERROR -> {
                if (gatheredBytes() < MAX_ERROR_BYTES) {
                    gather(content);
                } else {
                    content.release();
                }
                if (last) {
                    sendError();
                }
            }
        }
    }

    /** One client event from the stream encoder: copied into the read's output. */
    private void writeEvent(ByteBuf event) {
        try {
            emit(event);
        } finally {
            event.release();
        }
    }

    private void decodeBody() {
        ByteBuf body = takeGathered();
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
            finished = true;
            ByteBuf body = keys.scrub(downstream.alloc(), bodyEncoder.body());
            bodyEncoder = null;
            HttpResponse head = ClientHeads.made(exchange, upstreamHead, HttpResponseStatus.OK, keys);
            head.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
            sendWhole(head, body);
        } else {
            finished = true;
            endStream();
        }
    }

    /** The provider's error answer, in the client's dialect, with its status and Retry-After. */
    private void sendError() {
        finished = true;
        ByteBuf body = takeGathered();
        ApiError error;
        try {
            error = AnswerAccounting.masked(translation.error(upstreamHead.status().code(), upstreamHead.headers(),
                    body), keys);
        } finally {
            body.release();
        }
        FullHttpResponse response = ErrorResponses.response(downstream.alloc(), translation.client(), error,
                exchange.requestId());
        response.headers().setAll(ClientHeads.made(exchange, upstreamHead, response.status(), keys).headers());
        sendWhole(response, response.content());
    }

    /** The provider's answer cannot become the client's: the proxy fails the exchange (before or after the head). */
    private void fail(String reason) {
        finished = true;
        broken(reason);
    }

    @Override
    void failMidResponse(ApiError error) {
        finished = true;
        if (mode == Mode.EVENTS || mode == Mode.BODY && translation.clientStreams()) {
            if (answer.error() == null) {
                answer.error(error); // the client's encoder writes it; the provider's own error already went out
            }
            endStreamAndClose(null);
        } else {
            downstream.close();
        }
        discard();
    }

    @Override
    void discard() {
        if (framer != null) {
            framer.release();
            framer = null;
        }
        if (bodyEncoder != null) {
            bodyEncoder.discard();
            bodyEncoder = null;
        }
        super.discard();
    }
}
