package dev.llmgateway.proxy;

import com.fasterxml.jackson.core.io.SerializedString;
import dev.llmgateway.dialect.ApiError;
import dev.llmgateway.dialect.ClientDialect;
import dev.llmgateway.dialect.ErrorResponses;
import dev.llmgateway.dialect.openai.UsageReader;
import dev.llmgateway.json.BytePattern;
import dev.llmgateway.json.JsonSpans;
import dev.llmgateway.json.JsonSplice;
import dev.llmgateway.sse.SseEvent;
import dev.llmgateway.server.Endpoint;
import dev.llmgateway.sse.SseFramer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;

import java.io.IOException;
import java.util.function.Consumer;

/**
 * Relays one upstream response of the client's own API to the client, choosing how from its head (DESIGN.md §1):
 * <ul>
 *   <li>EVENTS — a successful {@code text/event-stream}: framed into events as bytes arrive; each event's
 *   {@code model} is spliced to the name the client asked for, every other byte is forwarded as a retained slice
 *   of what was read. Flushed once per upstream read, so the client has each event while the upstream is still
 *   sending.</li>
 *   <li>BODY — a successful JSON body: gathered without copying (composite of the read buffers), its top-level
 *   {@code model} spliced, sent with an exact Content-Length. A body over {@link #MAX_REWRITE_BYTES} is relayed
 *   unchanged instead of being held in memory.</li>
 *   <li>RAW — anything else (provider errors, other content types): status, headers and bytes as they come.</li>
 * </ul>
 * Along the way it reads token usage (from the event or body that carries it), notes when the first token reached
 * the client, and times its own work as gateway overhead. When the gateway asked the provider for stream usage
 * the client did not ask for, it takes that usage chunk and the {@code "usage":null} members out again, so the
 * client gets the bytes it asked for.
 * Ownership: every {@link HttpContent} handed in is written to the client or released here.
 */
final class ResponseRelay implements Relay {
    static final int MAX_REWRITE_BYTES = 32 * 1024 * 1024;
    private static final SerializedString MODEL = new SerializedString("model");
    private static final SerializedString MESSAGE = new SerializedString("message");
    private static final AsciiString MESSAGE_START = AsciiString.cached("message_start");
    private static final AsciiString MESSAGE_STOP = AsciiString.cached("message_stop");
    private static final AsciiString ERROR_EVENT = AsciiString.cached("error");

    private enum Mode { RAW, EVENTS, BODY }

    private final Exchange exchange;
    private final Channel downstream;
    private final ByteBuf requestedModelJson;
    private final Ended ended;
    /** Hears that the provider's stream is unusable (malformed, or ended without its end marker). */
    private final Consumer<String> broken;
    /**
     * OpenAI chat and completion streams end with {@code [DONE]}, Anthropic's with {@code message_stop} (or its own
     * {@code error} event); the Responses stream has no such marker.
     */
    private final boolean expectsEnd;
    /** Anthropic's stream names its model only in {@code message_start}, inside {@code message}. */
    private final boolean anthropic;
    private boolean sawEnd;
    private String brokenReason;
    private final UsageReader usageReader = new UsageReader();
    private final BytePattern usageNull;
    private final BytePattern noChoices;
    private Mode mode;
    private int status;
    private boolean started;
    private boolean upstreamKeepAlive;
    private SseFramer framer;
    private CompositeByteBuf body;
    private HttpResponse heldHead;

    ResponseRelay(Exchange exchange, Ended ended, Consumer<String> broken) {
        this.exchange = exchange;
        this.downstream = exchange.downstream();
        this.requestedModelJson = exchange.route().requestedModelJson();
        this.ended = ended;
        this.broken = broken;
        Endpoint endpoint = exchange.endpoint();
        this.anthropic = endpoint.dialect() == ClientDialect.ANTHROPIC;
        this.expectsEnd = endpoint == Endpoint.CHAT_COMPLETIONS || endpoint == Endpoint.COMPLETIONS
                || endpoint == Endpoint.MESSAGES;
        this.usageNull = exchange.hidesUsage() ? new BytePattern(",\"usage\":null") : null;
        this.noChoices = exchange.hidesUsage() ? new BytePattern("\"choices\":[]") : null;
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
        upstreamKeepAlive = HttpUtil.isKeepAlive(upstream);
        status = upstream.status().code();
        boolean success = upstream.status().codeClass() == HttpStatusClass.SUCCESS;
        String contentType = upstream.headers().get(HttpHeaderNames.CONTENT_TYPE);
        HttpResponse client = ClientHeads.passedOn(exchange, upstream);
        if (success && ClientHeads.startsWithIgnoreCase(contentType, "text/event-stream")) {
            mode = Mode.EVENTS;
            framer = new SseFramer(this::event);
            ClientHeads.eventStream(exchange, client);
            send(client);
        } else if (success && ClientHeads.startsWithIgnoreCase(contentType, "application/json")) {
            mode = Mode.BODY;
            heldHead = client;
            body = downstream.alloc().compositeBuffer(Integer.MAX_VALUE);
        } else {
            mode = Mode.RAW;
            if (!HttpUtil.isContentLengthSet(client)) {
                ClientHeads.chunkedIfPossible(exchange, client);
            }
            client.headers().set(ClientHeads.OVERHEAD_HEADER, ClientHeads.overheadMicros(exchange));
            send(client);
        }
    }

    @Override
    public void content(HttpContent content) {
        long startNanos = System.nanoTime();
        boolean last = content instanceof LastHttpContent;
        switch (mode) {
            case RAW -> {
                exchange.capture("response", content.content());
                exchange.addBytesOut(content.content().readableBytes());
                downstream.writeAndFlush(content, downstream.voidPromise());
                if (last) {
                    ended.responseEnded(upstreamKeepAlive);
                }
            }
            case EVENTS -> {
                framer.feed(content.content());
                if (last && brokenReason == null) {
                    framer.finish();
                    framer = null;
                    if (expectsEnd && !sawEnd) {
                        brokenReason = anthropic ? "the stream ended without message_stop"
                                : "the stream ended without [DONE]";
                    } else {
                        downstream.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT, downstream.voidPromise());
                        ended.responseEnded(upstreamKeepAlive);
                    }
                } else if (brokenReason == null) {
                    downstream.flush();
                }
                if (brokenReason != null) {
                    // Reported after the framer has returned: the failure path releases the framer.
                    broken.accept(brokenReason);
                }
            }
            case BODY -> {
                body.addComponent(true, content.content());
                if (last) {
                    sendBody();
                } else if (body.readableBytes() > MAX_REWRITE_BYTES) {
                    relayUnchanged();
                }
            }
        }
        exchange.addOverhead(System.nanoTime() - startNanos);
    }

    private void event(SseEvent event) {
        ByteBuf bytes = event.content();
        if (brokenReason != null) {
            bytes.release();
            return;
        }
        if (!event.hasData() || event.isDone()) {
            sawEnd |= event.isDone();
            downstream.write(bytes, downstream.voidPromise());
            return;
        }
        boolean modelEvent = !anthropic || event.eventNameIs(MESSAGE_START);
        sawEnd |= anthropic && (event.eventNameIs(MESSAGE_STOP) || event.eventNameIs(ERROR_EVENT));
        int start = event.dataOffset();
        int end = start + event.dataLength();
        boolean carriesUsage = usageReader.read(bytes, start, event.dataLength(), exchange.usage());
        if (carriesUsage && noChoices != null && noChoices.lastIndexIn(bytes, start, end) >= 0) {
            bytes.release();
            return;
        }
        long model;
        try {
            model = !modelEvent ? -1 : anthropic ? modelToReplace(bytes, start, event.dataLength(), MESSAGE, MODEL)
                    : modelToReplace(bytes, start, event.dataLength(), MODEL);
        } catch (IOException malformed) {
            brokenReason = "malformed event: " + malformed.getMessage();
            bytes.release();
            return;
        }
        int usageNullAt = usageNull == null ? -1 : usageNull.lastIndexIn(bytes, start, end);
        if (usageNullAt >= 0 && model >= 0) {
            bytes = JsonSplice.edit(downstream.alloc(), bytes,
                    new JsonSplice.Edit(JsonSpans.start(model), JsonSpans.end(model), requestedModelJson),
                    new JsonSplice.Edit(usageNullAt, usageNullAt + usageNull.length(), Unpooled.EMPTY_BUFFER));
        } else if (usageNullAt >= 0) {
            bytes = JsonSplice.replace(downstream.alloc(), bytes, usageNullAt, usageNullAt + usageNull.length(),
                    Unpooled.EMPTY_BUFFER);
        } else if (model >= 0) {
            bytes = JsonSplice.replace(downstream.alloc(), bytes, JsonSpans.start(model), JsonSpans.end(model),
                    requestedModelJson);
        }
        exchange.firstToken();
        exchange.capture("response", bytes);
        exchange.addBytesOut(bytes.readableBytes());
        downstream.write(bytes, downstream.voidPromise());
    }

    private void sendBody() {
        usageReader.read(body, body.readerIndex(), body.readableBytes(), exchange.usage());
        long model;
        try {
            model = modelToReplace(body, body.readerIndex(), body.readableBytes(), MODEL);
        } catch (IOException notJson) {
            model = -1; // a body that only claims to be JSON goes to the client as the provider sent it
        }
        ByteBuf whole = model < 0 ? body
                : JsonSplice.replace(downstream.alloc(), body, JsonSpans.start(model), JsonSpans.end(model),
                requestedModelJson);
        body = null;
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, heldHead.status(), whole,
                heldHead.headers(), EmptyHttpHeaders.INSTANCE);
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, whole.readableBytes())
                .set(ClientHeads.OVERHEAD_HEADER, ClientHeads.overheadMicros(exchange));
        exchange.capture("response", whole);
        exchange.addBytesOut(whole.readableBytes());
        heldHead = null;
        started = true;
        downstream.writeAndFlush(response, downstream.voidPromise());
        ended.responseEnded(upstreamKeepAlive);
    }

    /** Too large to hold: send what came so far and the rest as it comes, without the model rewrite. */
    private void relayUnchanged() {
        mode = Mode.RAW;
        if (!HttpUtil.isContentLengthSet(heldHead)) {
            ClientHeads.chunkedIfPossible(exchange, heldHead);
        }
        send(heldHead);
        heldHead = null;
        exchange.addBytesOut(body.readableBytes());
        downstream.writeAndFlush(body, downstream.voidPromise());
        body = null;
    }

    /**
     * The span of the model name at {@code path} in {@code bytes} when it differs from the name the client asked
     * for, else -1 (already right, or absent).
     *
     * @throws IOException when the bytes before the member are not JSON
     */
    private long modelToReplace(ByteBuf bytes, int index, int length, SerializedString... path) throws IOException {
        long span = JsonSpans.findString(bytes, index, length, path);
        if (span < 0) {
            return -1;
        }
        int start = JsonSpans.start(span);
        int wanted = requestedModelJson.readableBytes();
        boolean same = JsonSpans.end(span) - start == wanted
                && ByteBufUtil.equals(bytes, start, requestedModelJson, requestedModelJson.readerIndex(), wanted);
        return same ? -1 : span;
    }

    @Override
    public void failMidResponse(ApiError error) {
        if (mode == Mode.EVENTS) {
            if (framer != null) {
                framer.release();
                framer = null;
            }
            downstream.write(ErrorResponses.streamEvent(downstream.alloc(), exchange.dialect(), error,
                    exchange.requestId()), downstream.voidPromise());
            Relay.endStreamAndClose(downstream);
        } else {
            downstream.close();
        }
    }

    @Override
    public void discard() {
        if (framer != null) {
            framer.release();
            framer = null;
        }
        if (body != null) {
            body.release();
            body = null;
        }
    }

    private void send(HttpResponse head) {
        started = true;
        downstream.write(head, downstream.voidPromise());
    }
}
