package dev.llmgateway.proxy;

import dev.llmgateway.exchange.Exchange;
import com.fasterxml.jackson.core.io.SerializedString;
import dev.llmgateway.dialect.ApiError;
import dev.llmgateway.dialect.ClientDialect;
import dev.llmgateway.dialect.ErrorResponses;
import dev.llmgateway.dialect.gemini.GeminiUsageReader;
import dev.llmgateway.dialect.openai.UsageReader;
import dev.llmgateway.json.BytePattern;
import dev.llmgateway.json.JsonBytes;
import dev.llmgateway.json.JsonSpans;
import dev.llmgateway.json.JsonSplice;
import dev.llmgateway.json.RepeatingSpanFinder;
import dev.llmgateway.sse.SseEvent;
import dev.llmgateway.exchange.Endpoint;
import dev.llmgateway.sse.SseFramer;
import dev.llmgateway.tracing.AttemptTrace;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.AsciiString;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Relays an answer of the client's own API (docs/ARCHITECTURE.md §5), choosing how from its head:
 * <ul>
 *   <li>EVENTS — a successful {@code text/event-stream}: framed into events as bytes arrive; each event's
 *   {@code model} (Gemini's {@code modelVersion})
 *   is spliced to the name the client asked for as it is copied into the read's output (one chunk
 *   and one flush per upstream read), so the client has each event while the upstream is still sending.</li>
 *   <li>BODY — a successful JSON body: gathered without copying, its top-level {@code model} spliced and the
 *   provider's keys masked, sent with an exact Content-Length. A body over {@link #MAX_BODY_BYTES} is relayed
 *   unchanged instead of being held.</li>
 *   <li>ERROR — a provider's error (any other status): gathered, the provider's keys masked, sent whole.</li>
 *   <li>RAW — a successful answer of another content type: passed through.</li>
 * </ul>
 * Along the way it reads token usage (from the event or body that carries it). When the gateway asked the provider
 * for stream usage the client did not ask for, it takes that usage chunk ({@code "choices":[]}) and the
 * {@code "usage":null} members out again, whatever the whitespace around them, so the client gets the bytes it
 * asked for. A stream event that is no JSON object, or that the relay parses (for its model or usage) and finds
 * malformed, ends the stream with an error event, never with a clean end. Each event is searched for the key the
 * attempt sent, an error event for every key the call may send ({@link KeyMasks}), and masked; a RAW body is not.
 * Ownership: as {@link Relay}; each framed event is released once copied.
 */
final class ResponseRelay extends Relay {
    private static final SerializedString MODEL = new SerializedString("model");
    private static final SerializedString MODEL_VERSION = new SerializedString("modelVersion");
    private static final SerializedString MESSAGE = new SerializedString("message");
    private static final SerializedString RESPONSE = new SerializedString("response");
    private static final AsciiString MESSAGE_START = AsciiString.cached("message_start");
    private static final AsciiString MESSAGE_STOP = AsciiString.cached("message_stop");
    private static final AsciiString ERROR_EVENT = AsciiString.cached("error");
    /** The Responses events that carry the {@code response} object, and so its model. */
    private static final AsciiString[] RESPONSE_EVENTS = {AsciiString.cached("response.created"),
            AsciiString.cached("response.in_progress"), AsciiString.cached("response.queued"),
            AsciiString.cached("response.completed"), AsciiString.cached("response.incomplete"),
            AsciiString.cached("response.failed")};
    /** The Responses events that end its stream: the last three of {@link #RESPONSE_EVENTS}, or an error. */
    private static final int FIRST_RESPONSE_END = 3;

    private static final BytePattern CHOICES = new BytePattern("\"choices\"");
    private static final byte[] NULL = ascii("null");
    private static final byte[] ERROR_NAME = ascii("\"error\"");
    private static final byte[] OBJECT_NAME = ascii("\"object\"");

    /** {@link #usage}: the whole event goes. */
    private static final long DROP = -2;

    private enum Mode { RAW, EVENTS, BODY, ERROR }

    private final ByteBuf requestedModelJson;
    /**
     * OpenAI chat and completion streams end with {@code [DONE]}, Anthropic's with {@code message_stop} (or its own
     * {@code error} event), the Responses stream with {@code response.completed}, {@code response.incomplete},
     * {@code response.failed} or {@code error}.
     */
    private final boolean expectsEnd;
    /** Anthropic's stream names its model only in {@code message_start}, inside {@code message}. */
    private final boolean anthropic;
    /** The Responses stream names its model inside the {@code response} object of its lifecycle events. */
    private final boolean responses;
    /** Gemini's answers name their model in {@code modelVersion} and report usage in {@code usageMetadata}. */
    private final boolean gemini;
    private final UsageReader usageReader = new UsageReader();
    /** The attempt's span; it takes the answer's facts from here only when {@link #handsFacts}. */
    private final AttemptTrace trace;
    private boolean handsFacts;
    /** Finds each event's model (made for a stream only); Anthropic's names it in {@code message_start.message}. */
    private RepeatingSpanFinder eventModel;
    /** The gateway asked for the stream usage the client did not: it takes it out again. */
    private final boolean hidesUsage;
    private boolean sawEnd;
    /** The body has ended: an event the framer still hands on had no blank line after it. */
    private boolean finishing;
    private String brokenReason;
    private Mode mode;
    private SseFramer framer;
    private HttpResponse heldHead;

    ResponseRelay(Exchange exchange, boolean hidesUsage, KeyMasks keys, AttemptTrace trace, Ended ended,
                  Consumer<String> broken) {
        super(exchange, keys, ended, broken);
        this.trace = trace;
        this.requestedModelJson = exchange.route().requestedModelJson();
        Endpoint endpoint = exchange.endpoint();
        this.anthropic = endpoint.dialect() == ClientDialect.ANTHROPIC;
        this.responses = endpoint == Endpoint.RESPONSES;
        this.gemini = endpoint.dialect() == ClientDialect.GEMINI;
        this.expectsEnd = endpoint == Endpoint.CHAT_COMPLETIONS || endpoint == Endpoint.COMPLETIONS
                || endpoint == Endpoint.MESSAGES || responses;
        this.hidesUsage = hidesUsage;
    }

    @Override
    void onHead(HttpResponse upstream) {
        boolean success = upstream.status().codeClass() == HttpStatusClass.SUCCESS;
        String contentType = upstream.headers().get(HttpHeaderNames.CONTENT_TYPE);
        HttpResponse client = ClientHeads.passedOn(exchange, upstream, keys);
        if (success && ClientHeads.startsWithIgnoreCase(contentType, "text/event-stream")) {
            mode = Mode.EVENTS;
            framer = framer(this::event);
            eventModel = anthropic ? new RepeatingSpanFinder(MESSAGE, MODEL)
                    : responses ? new RepeatingSpanFinder(RESPONSE, MODEL)
                    : new RepeatingSpanFinder(gemini ? MODEL_VERSION : MODEL);
            handsFacts = trace.takesAnswerFacts(exchange.dialect());
            ClientHeads.eventStream(exchange, client);
            sendHead(client);
        } else if (success && ClientHeads.startsWithIgnoreCase(contentType, "application/json")) {
            mode = Mode.BODY;
            handsFacts = trace.takesAnswerFacts(exchange.dialect());
            heldHead = client;
        } else if (!success) {
            mode = Mode.ERROR;
            heldHead = client;
        } else {
            mode = Mode.RAW;
            if (!HttpUtil.isContentLengthSet(client)) {
                ClientHeads.chunkedIfPossible(exchange, client);
            }
            client.headers().set(ClientHeads.OVERHEAD_HEADER, ClientHeads.overheadMicros(exchange));
            sendHead(client);
        }
    }

    @Override
    void onContent(HttpContent content, boolean last) {
        switch (mode) {
            case RAW -> passThrough(content, last);
            case EVENTS -> {
                framer.feed(content.content());
                if (framer.oversized() && brokenReason == null) {
                    brokenReason = oversizedEvent();
                }
                if (last && brokenReason == null) {
                    finishing = true;
                    framer.finish();
                    framer = null;
                    if (brokenReason == null && expectsEnd && !sawEnd) {
                        brokenReason = anthropic ? "the stream ended without message_stop"
                                : responses ? "the stream ended without response.completed"
                                : "the stream ended without [DONE]";
                    }
                    if (brokenReason == null) { // the last event may have been malformed: never then a clean end
                        endStream();
                    }
                }
                if (brokenReason != null) {
                    // Reported after the framer has returned: the failure path releases the framer.
                    broken(brokenReason);
                }
            }
            case BODY -> {
                boolean fits = gather(content);
                if (last) {
                    sendBody();
                } else if (!fits) {
                    relayUnchanged();
                }
            }
            case ERROR -> {
                if (!gather(content)) {
                    // Never passed on unread: it could carry a key the gateway has not masked.
                    broken("the provider's error answer is larger than the gateway holds (" + MAX_BODY_BYTES
                            + " bytes)");
                } else if (last) {
                    HttpResponse head = heldHead;
                    heldHead = null;
                    sendWhole(head, keys.scrub(downstream.alloc(), takeGathered()));
                }
            }
        }
    }

    private void event(SseEvent event) {
        ByteBuf bytes = event.content();
        try {
            // An event the body ended inside was cut, unless it is the end marker: the stream fails without it, and
            // the client never gets half an event (its error event would run into it).
            boolean cut = finishing && expectsEnd && !endsStream(event);
            if (brokenReason == null && !cut) {
                relayEvent(event, bytes);
            }
        } finally {
            bytes.release();
        }
    }

    /** Relays one event; only one that passed its checks can be the stream's end. */
    private void relayEvent(SseEvent event, ByteBuf bytes) {
        if (!event.hasData() || event.isDone()) {
            out(bytes.readableBytes()).writeBytes(bytes, bytes.readerIndex(), bytes.readableBytes());
            sawEnd |= endsStream(event);
            return;
        }
        boolean modelEvent = anthropic ? event.eventNameIs(MESSAGE_START)
                : !responses || !event.hasEventName() || namedAmong(event, 0);
        int start = event.dataOffset();
        int end = start + event.dataLength();
        if (event.dataLineCount() == 1 && event.dataLength() > 0 && !JsonBytes.delimitsObject(bytes, start, end)) {
            brokenReason = "malformed event: not a JSON object";
            return;
        }
        long hidden; // the usage member to take out, or -1
        long model;
        try {
            hidden = usage(bytes, start, end);
            if (hidden == DROP) {
                return; // the usage chunk the client did not ask for
            }
            model = modelEvent ? eventModel.find(bytes, start, event.dataLength()) : -1;
        } catch (IOException malformed) {
            brokenReason = "malformed event: " + malformed.getMessage();
            return;
        }
        if (handsFacts && event.dataLineCount() == 1) {
            trace.answered(bytes, start, end, model);
        }
        model = unlessRequested(bytes, model);
        ByteBuf target = out(bytes.readableBytes() + requestedModelJson.readableBytes());
        int from = target.writerIndex();
        int at = bytes.readerIndex();
        if (hidden >= 0 && (model < 0 || JsonSpans.start(hidden) < JsonSpans.start(model))) {
            at = copyReplacing(bytes, at, JsonSpans.start(hidden), JsonSpans.end(hidden), null, target);
            hidden = -1;
        }
        if (model >= 0) {
            at = copyReplacing(bytes, at, JsonSpans.start(model), JsonSpans.end(model), requestedModelJson, target);
        }
        if (hidden >= 0) {
            at = copyReplacing(bytes, at, JsonSpans.start(hidden), JsonSpans.end(hidden), null, target);
        }
        target.writeBytes(bytes, at, bytes.writerIndex() - at);
        maskKeys(from, isError(event, bytes, start, end) ? keys : sentKey);
        emitted(from);
        sawEnd |= endsStream(event);
    }

    /**
     * Reads the usage the event carries; returns the bytes of the {@code "usage":null} member to take out (packed
     * as a span) or -1, or {@link #DROP} for the usage chunk, when the client did not ask for usage.
     */
    private long usage(ByteBuf bytes, int start, int end) throws IOException {
        if (gemini) {
            long usage = GeminiUsageReader.find(bytes, start, end - start);
            if (usage >= 0) {
                GeminiUsageReader.readAt(bytes, JsonSpans.end(usage), end, exchange.usage());
            }
            return -1;
        }
        long usage = UsageReader.find(bytes, start, end - start);
        if (usage < 0) {
            return -1;
        }
        int value = JsonSpans.end(usage);
        if (usageReader.readAt(bytes, value, end, exchange.usage())) {
            return hidesUsage && hasNoChoices(bytes, start, end) ? DROP : -1;
        }
        return hidesUsage && JsonBytes.spells(bytes, value, end, NULL)
                ? JsonBytes.memberExtent(bytes, JsonSpans.start(usage), value + NULL.length, start, end) : -1;
    }

    /** {@code "choices":[]}, with or without whitespace. */
    private static boolean hasNoChoices(ByteBuf bytes, int start, int end) {
        int value = JsonSpans.end(JsonBytes.lastMember(bytes, CHOICES, start, end));
        return value >= 0 && bytes.getByte(value) == '['
                && bytes.getByte(JsonBytes.skipWhitespace(bytes, value + 1, end)) == ']';
    }

    /**
     * A provider's error inside a stream: Anthropic's and the Responses API's {@code event: error}, an OpenAI-style
     * {@code {"error":…}}, or vLLM's {@code {"object":"error",…}}. A few byte reads per event.
     */
    private static boolean isError(SseEvent event, ByteBuf bytes, int start, int end) {
        if (event.eventNameIs(ERROR_EVENT) || JsonBytes.firstMemberValue(bytes, ERROR_NAME, start, end) >= 0) {
            return true;
        }
        int object = JsonBytes.firstMemberValue(bytes, OBJECT_NAME, start, end);
        return object >= 0 && JsonBytes.spells(bytes, object, end, ERROR_NAME);
    }

    /** OpenAI's {@code [DONE]}, Anthropic's {@code message_stop} or {@code error}, or a Responses stream's end. */
    private boolean endsStream(SseEvent event) {
        if (event.isDone()) {
            return true;
        }
        if (!event.hasData()) {
            return false;
        }
        if (anthropic) {
            return event.eventNameIs(MESSAGE_STOP) || event.eventNameIs(ERROR_EVENT);
        }
        return responses && (event.eventNameIs(ERROR_EVENT) || namedAmong(event, FIRST_RESPONSE_END));
    }

    /** Whether the event is named as one of {@link #RESPONSE_EVENTS} from {@code from} on. */
    private static boolean namedAmong(SseEvent event, int from) {
        for (int i = from; i < RESPONSE_EVENTS.length; i++) {
            if (event.eventNameIs(RESPONSE_EVENTS[i])) {
                return true;
            }
        }
        return false;
    }

    /** Copies {@code bytes[at, start)} then {@code replacement} (may be null) to {@code target}; returns {@code end}. */
    private static int copyReplacing(ByteBuf bytes, int at, int start, int end, ByteBuf replacement, ByteBuf target) {
        target.writeBytes(bytes, at, start - at);
        if (replacement != null) {
            target.writeBytes(replacement, replacement.readerIndex(), replacement.readableBytes());
        }
        return end;
    }

    private void sendBody() {
        ByteBuf body = takeGathered();
        if (gemini) {
            GeminiUsageReader.read(body, body.readerIndex(), body.readableBytes(), exchange.usage());
        } else {
            usageReader.read(body, body.readerIndex(), body.readableBytes(), exchange.usage());
        }
        long model;
        try {
            model = JsonSpans.findString(body, body.readerIndex(), body.readableBytes(),
                    gemini ? MODEL_VERSION : MODEL);
            if (handsFacts) {
                trace.answered(body, body.readerIndex(), body.writerIndex(), model);
            }
            model = unlessRequested(body, model);
        } catch (IOException notJson) {
            model = -1; // a body that only claims to be JSON goes to the client as the provider sent it
        }
        ByteBuf whole = keys.scrub(downstream.alloc(), body, model < 0 ? null
                : new JsonSplice.Edit(JsonSpans.start(model), JsonSpans.end(model), requestedModelJson));
        HttpResponse head = heldHead;
        heldHead = null;
        sendWhole(head, whole);
    }

    /** Too large to hold: send what came so far and the rest as it comes, without the model rewrite. */
    private void relayUnchanged() {
        mode = Mode.RAW;
        if (!HttpUtil.isContentLengthSet(heldHead)) {
            ClientHeads.chunkedIfPossible(exchange, heldHead);
        }
        sendHead(heldHead);
        heldHead = null;
        passThrough(new DefaultHttpContent(takeGathered()), false);
    }

    /** The model name's {@code span} in {@code bytes} when it differs from the name the client asked for, else -1. */
    private long unlessRequested(ByteBuf bytes, long span) {
        if (span < 0) {
            return -1;
        }
        int start = JsonSpans.start(span);
        int wanted = requestedModelJson.readableBytes();
        boolean same = JsonSpans.end(span) - start == wanted
                && ByteBufUtil.equals(bytes, start, requestedModelJson, requestedModelJson.readerIndex(), wanted);
        return same ? -1 : span;
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    void failMidResponse(ApiError error) {
        if (mode == Mode.EVENTS) {
            releaseFramer();
            endStreamAndClose(ErrorResponses.streamEvent(downstream.alloc(), exchange.dialect(), error,
                    exchange.requestId()));
        } else {
            downstream.close();
        }
        discard();
    }

    @Override
    void discard() {
        releaseFramer();
        super.discard();
    }

    private void releaseFramer() {
        if (framer != null) {
            framer.release();
            framer = null;
        }
    }
}
