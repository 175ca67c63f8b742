package dev.llmgateway.mock;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.llmgateway.config.MockOptions;
import dev.llmgateway.json.Json;
import dev.llmgateway.sse.SseWriter;
import dev.llmgateway.exchange.RequestBodyScanner;
import dev.llmgateway.exchange.RequestFacts;
import dev.llmgateway.upstream.Provider;
import dev.llmgateway.upstream.UpstreamConnector;
import dev.llmgateway.upstream.UpstreamListener;
import dev.llmgateway.upstream.UpstreamSession;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.Future;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The built-in mock provider, as an {@link UpstreamConnector} like the connection pools: answers chat completions
 * in OpenAI's wire format, in-process, as if from the network — the same proxy, relay, model rewrite, timeout and
 * error paths run as for a real provider. It reads what it is sent (model, stream, include_usage) from the request
 * body as a provider would. A stream sends a role chunk, {@code tokens} content chunks {@code token_delay} apart
 * (scheduled on the exchange's event loop, never sleeping), a finish chunk, a usage chunk when asked for, and
 * {@code [DONE]}.
 */
public final class MockProvider implements UpstreamConnector {
    private static final String[] WORDS = ("This is a streamed answer from the gateway's built-in mock provider; "
            + "set a real provider key to talk to a model.").split(" ");
    private static final AtomicLong IDS = new AtomicLong();

    @Override
    public Future<UpstreamSession> acquire(EventLoop loop, Provider provider) {
        return loop.newSucceededFuture(answer(provider.config().mock(), loop));
    }

    /** A session that answers one request on {@code loop} as {@code options} say. */
    public static UpstreamSession answer(MockOptions options, EventLoop loop) {
        return new Answer(options, loop);
    }

    /** One answer: the session a call sends its request to, then the source of the response. */
    private static final class Answer implements UpstreamSession {
        private final MockOptions options;
        private final EventLoop loop;
        private final String id = "chatcmpl-mock" + IDS.incrementAndGet();
        private final long created = System.currentTimeMillis() / 1000;
        private ByteBufAllocator alloc;
        private String model;
        private boolean stream;
        private boolean includeUsage;
        private int promptTokens;
        private UpstreamListener listener;
        private int sent;
        private boolean paused;
        private boolean stopped;
        private Future<?> next;

        Answer(MockOptions options, EventLoop loop) {
            this.options = options;
            this.loop = loop;
        }

        @Override
        public boolean reused() {
            return false;
        }

        /** Reads the request as a provider would; the answer starts on the next turn of the loop. */
        @Override
        public void send(FullHttpRequest request, UpstreamListener listener) {
            this.listener = listener;
            ByteBuf content = request.content();
            alloc = content.alloc();
            try {
                RequestFacts facts = RequestBodyScanner.scan(content);
                model = facts.model();
                stream = facts.stream();
                includeUsage = facts.includeUsage();
            } catch (RequestBodyScanner.InvalidBody invalid) {
                model = "mock-model";
            } finally {
                // The fake prompt token count, about four bytes a token.
                promptTokens = Math.max(1, content.readableBytes() / 4);
                request.release();
            }
            loop.execute(this::begin);
        }

        void begin() {
            if (stopped) {
                return;
            }
            HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            if (!stream) {
                ByteBuf body = json(this::writeCompletion);
                head.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                        .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
                listener.onResponseHead(head);
                deliverLast(body);
                return;
            }
            head.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8")
                    .set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
            listener.onResponseHead(head);
            deliver(SseWriter.dataEvent(alloc, json(g -> writeChunk(g, null, true, null))));
            tick();
        }

        /** Sends the next token, then schedules the one after; the last tick ends the stream. */
        private void tick() {
            next = null;
            while (!stopped && !paused) {
                if (sent < options.tokens()) {
                    String word = WORDS[sent % WORDS.length] + (sent + 1 < options.tokens() ? " " : "");
                    sent++;
                    deliver(SseWriter.dataEvent(alloc, json(g -> writeChunk(g, word, false, null))));
                    if (options.tokenDelay().isZero()) {
                        continue;
                    }
                    next = loop.schedule(this::tick, options.tokenDelay().toNanos(), TimeUnit.NANOSECONDS);
                    return;
                }
                ByteBuf tail = SseWriter.dataEvent(alloc, json(g -> writeChunk(g, null, false, "stop")));
                if (includeUsage) {
                    tail = alloc.compositeBuffer(3).addComponents(true, tail,
                            SseWriter.dataEvent(alloc, json(g -> writeChunk(g, null, false, null))));
                }
                tail = alloc.compositeBuffer(2).addComponents(true, tail, SseWriter.done());
                deliverLast(tail);
                return;
            }
        }

        /** Each piece arrives as if in a read of its own. */
        private void deliver(ByteBuf bytes) {
            listener.onResponseContent(new DefaultHttpContent(bytes));
            listener.onReadComplete();
        }

        private void deliverLast(ByteBuf bytes) {
            stopped = true;
            listener.onResponseContent(new DefaultLastHttpContent(bytes));
        }

        private ByteBuf json(JsonWriter writer) {
            ByteBuf buf = alloc.buffer(256);
            try (JsonGenerator json = Json.FACTORY.createGenerator((OutputStream) new ByteBufOutputStream(buf))) {
                writer.write(json);
            } catch (IOException e) {
                buf.release();
                throw new UncheckedIOException(e);
            }
            return buf;
        }

        private void writeCompletion(JsonGenerator json) throws IOException {
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < options.tokens(); i++) {
                text.append(WORDS[i % WORDS.length]).append(i + 1 < options.tokens() ? " " : "");
            }
            header(json, "chat.completion");
            json.writeArrayFieldStart("choices");
            json.writeStartObject();
            json.writeNumberField("index", 0);
            json.writeObjectFieldStart("message");
            json.writeStringField("role", "assistant");
            json.writeStringField("content", text.toString());
            json.writeNullField("refusal");
            json.writeEndObject();
            json.writeNullField("logprobs");
            json.writeStringField("finish_reason", "stop");
            json.writeEndObject();
            json.writeEndArray();
            writeUsage(json);
            json.writeEndObject();
        }

        /** A stream chunk: the role chunk, a content chunk, the finish chunk, or (all null) the usage chunk. */
        private void writeChunk(JsonGenerator json, String content, boolean role, String finishReason)
                throws IOException {
            boolean usageChunk = content == null && !role && finishReason == null;
            header(json, "chat.completion.chunk");
            json.writeArrayFieldStart("choices");
            if (!usageChunk) {
                json.writeStartObject();
                json.writeNumberField("index", 0);
                json.writeObjectFieldStart("delta");
                if (role) {
                    json.writeStringField("role", "assistant");
                    json.writeStringField("content", "");
                } else if (content != null) {
                    json.writeStringField("content", content);
                }
                json.writeEndObject();
                json.writeNullField("logprobs");
                json.writeStringField("finish_reason", finishReason);
                json.writeEndObject();
            }
            json.writeEndArray();
            if (usageChunk) {
                writeUsage(json);
            } else if (includeUsage) {
                json.writeNullField("usage");
            }
            json.writeEndObject();
        }

        private void header(JsonGenerator json, String object) throws IOException {
            json.writeStartObject();
            json.writeStringField("id", id);
            json.writeStringField("object", object);
            json.writeNumberField("created", created);
            json.writeStringField("model", model);
            json.writeStringField("system_fingerprint", "fp_mock");
        }

        private void writeUsage(JsonGenerator json) throws IOException {
            json.writeObjectFieldStart("usage");
            json.writeNumberField("prompt_tokens", promptTokens);
            json.writeNumberField("completion_tokens", options.tokens());
            json.writeNumberField("total_tokens", promptTokens + options.tokens());
            json.writeEndObject();
        }

        @Override
        public void pauseReading() {
            paused = true;
        }

        @Override
        public void resumeReading() {
            if (paused && !stopped) {
                paused = false;
                if (next == null) {
                    loop.execute(this::tick);
                }
            }
        }

        @Override
        public void finish(boolean reusable) {
            stopped = true;
        }

        @Override
        public void abort() {
            stopped = true;
            if (next != null) {
                next.cancel(false);
                next = null;
            }
        }
    }

    @FunctionalInterface
    private interface JsonWriter {
        void write(JsonGenerator json) throws IOException;
    }
}
