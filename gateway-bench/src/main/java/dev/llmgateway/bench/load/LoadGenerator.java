package dev.llmgateway.bench.load;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.util.ByteProcessor;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import org.HdrHistogram.Histogram;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A load generator over a fixed set of keep-alive connections, all on one event loop (so its state needs no locks):
 * HTTP/1.1, one request at a time per connection, or h2c (prior knowledge), {@code streamsPerConnection} streams at
 * a time per connection. Each request in flight holds a slot (a connection, or one of a connection's streams).
 * Buffers: every request writes a duplicate of one unreleasable body; every response object a reader takes, it
 * releases. Two ways to drive them:
 * <ul>
 *   <li>{@link Mode#CLOSED}: each connection sends its next request when the previous one completes; finds the
 *   maximum throughput, but hides queueing (a slow answer delays the requests that would have followed it).</li>
 *   <li>{@link Mode#OPEN}: requests are due at fixed intervals whatever happens to earlier ones. A request with no
 *   free connection at its due time waits in a backlog, and its latency is measured from the time it was due, so
 *   that wait counts (no coordinated omission).</li>
 * </ul>
 */
public final class LoadGenerator implements AutoCloseable {
    public enum Mode { CLOSED, OPEN }

    /**
     * The one request every connection sends, again and again; with {@code http2}, h2c by prior knowledge, each
     * connection carrying {@code streamsPerConnection} requests at once (one for HTTP/1.1).
     */
    public record Request(String host, int port, byte[] body, String apiKey, boolean stream, boolean http2,
                          int streamsPerConnection) {
    }

    /** Called on the generator's event loop when the measured window opens and closes (e.g. to read CPU time). */
    public interface WindowListener {
        void measureStarted();

        void measureEnded();
    }

    static final String PATH = "/v1/chat/completions";
    /** Connects in flight at once: more would overflow a listener's accept backlog and wait for SYN retries. */
    private static final int CONNECT_BATCH = 512;

    private final EventLoop loop;
    private final Bootstrap bootstrap;
    private final Request request;
    private final ByteBuf body;
    private final HttpHeaders headers;
    private final Http2Headers http2Headers;
    private final List<Slot> slots = new ArrayList<>();
    private final ArrayDeque<Slot> idle = new ArrayDeque<>();
    private final LongQueue backlog = new LongQueue();
    private final Runnable tickTask = this::tick;

    // The current run; touched only on the event loop.
    private Mode mode;
    private double intervalNanos;
    private long firstDue;
    private long measureStart;
    private long measureEnd;
    private long scheduled;
    private boolean running;
    /** The window's end has been handled; until then the run cannot finish, however late its timer fires. */
    private boolean windowEnded;
    private boolean closing;
    private int inFlight;
    private long requests;
    private long errors;
    private long bodyBytes;
    private long lastCompletion;
    private Histogram latency;
    private Histogram firstEvent;
    private Histogram eventSpan;
    private Histogram longestGap;
    private long events;
    private WindowListener listener;
    private CompletableFuture<LoadResult> result;

    public LoadGenerator(NettyTransport transport, EventLoopGroup group, Request request) {
        this.loop = group.next();
        this.request = request;
        this.body = Unpooled.unreleasableBuffer(
                Unpooled.directBuffer(request.body().length).writeBytes(request.body())).asReadOnly();
        // Shared by every request: the encoder only reads them.
        this.headers = new DefaultHttpHeaders()
                .add(HttpHeaderNames.HOST, request.host() + ":" + request.port())
                .add(HttpHeaderNames.AUTHORIZATION, "Bearer " + request.apiKey())
                .add(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .add(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes())
                .add(HttpHeaderNames.ACCEPT, request.stream() ? "text/event-stream" : "application/json");
        this.http2Headers = Http2Client.requestHeaders(request.host(), request.port(), PATH, request.apiKey(),
                request.stream(), body.readableBytes());
        this.bootstrap = new Bootstrap()
                .group(loop)
                .channel(transport.socketChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5_000)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (request.http2()) {
                            Http2Client.addCodec(ch.pipeline());
                            ch.pipeline().addLast(new Http2Connection());
                        } else {
                            ch.pipeline().addLast(new HttpClientCodec(), new Http1Connection());
                        }
                    }
                });
    }

    /** Opens {@code count} connections and waits until all are up. */
    public void connect(int count) throws InterruptedException {
        for (int opened = 0; opened < count; opened += CONNECT_BATCH) {
            List<ChannelFuture> pending = new ArrayList<>(CONNECT_BATCH);
            for (int i = opened; i < Math.min(count, opened + CONNECT_BATCH); i++) {
                pending.add(bootstrap.connect(request.host(), request.port()));
            }
            for (ChannelFuture future : pending) {
                if (!future.await(10, TimeUnit.SECONDS) || !future.isSuccess()) {
                    throw new IllegalStateException("cannot connect to " + request.host() + ":" + request.port()
                            + " (connection " + (opened + pending.indexOf(future) + 1) + " of " + count + ")",
                            future.cause());
                }
            }
        }
    }

    /**
     * Sends for {@code warmupNanos} (not recorded), then for {@code durationNanos} (recorded), then waits up to
     * {@code drainNanos} for the window's requests to finish. Requests due or sent in the window are the ones that
     * count, whenever they complete. {@code rate} (requests per second) is used in open mode only.
     */
    public LoadResult run(Mode mode, double rate, long warmupNanos, long durationNanos, long drainNanos,
                          WindowListener listener) throws InterruptedException {
        CompletableFuture<LoadResult> done = new CompletableFuture<>();
        loop.execute(() -> start(mode, rate, warmupNanos, durationNanos, drainNanos, listener, done));
        long waitNanos = warmupNanos + durationNanos + drainNanos + TimeUnit.SECONDS.toNanos(10);
        try {
            return done.get(waitNanos, TimeUnit.NANOSECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("load run did not finish", e);
        }
    }

    @Override
    public void close() {
        loop.submit(() -> {
            closing = true;
            for (Slot slot : List.copyOf(slots)) {
                slot.channel.close();
            }
        }).syncUninterruptibly();
    }

    private void start(Mode mode, double rate, long warmupNanos, long durationNanos, long drainNanos,
                       WindowListener listener, CompletableFuture<LoadResult> done) {
        this.mode = mode;
        this.listener = listener;
        this.result = done;
        this.latency = new Histogram(3);
        this.firstEvent = new Histogram(3);
        this.eventSpan = new Histogram(3);
        this.longestGap = new Histogram(3);
        events = 0;
        requests = 0;
        errors = 0;
        bodyBytes = 0;
        lastCompletion = 0;
        scheduled = 0;
        backlog.clear();
        windowEnded = false;
        running = true;
        long now = System.nanoTime();
        firstDue = now;
        measureStart = now + warmupNanos;
        measureEnd = measureStart + durationNanos;
        loop.schedule(listener::measureStarted, measureStart - now, TimeUnit.NANOSECONDS);
        loop.schedule(this::endWindow, measureEnd - now, TimeUnit.NANOSECONDS);
        loop.schedule(this::drainTimedOut, measureEnd + drainNanos - now, TimeUnit.NANOSECONDS);
        if (mode == Mode.CLOSED) {
            Slot slot;
            while ((slot = idle.poll()) != null) {
                slot.send(now);
            }
        } else {
            intervalNanos = 1e9 / rate;
            tick();
        }
    }

    /** Open loop: sends (or queues) every request now due, then sleeps until the next one is. */
    private void tick() {
        if (!running) {
            return;
        }
        long now = System.nanoTime();
        long due;
        // Due times come from the start time, never from the last tick, so a late timer does not shift the rest.
        while ((due = firstDue + (long) (scheduled * intervalNanos)) <= now && due < measureEnd) {
            scheduled++;
            Slot slot = idle.poll();
            if (slot != null) {
                slot.send(due);
            } else {
                backlog.add(due);
            }
        }
        if (due < measureEnd) {
            loop.schedule(tickTask, due - now, TimeUnit.NANOSECONDS);
        }
    }

    private void endWindow() {
        windowEnded = true;
        listener.measureEnded();
        finishIfDrained();
    }

    /**
     * Gives up on the window's stragglers: they count as incomplete. A stream among them has been silent at least
     * since its last byte (or its send), which goes into its longest gap: a stall is a stall, finished or not.
     */
    private void drainTimedOut() {
        if (!running) {
            return;
        }
        long incomplete = 0;
        long now = System.nanoTime();
        for (Slot slot : slots) {
            if (slot.busy && slot.inWindow) {
                incomplete++;
                if (request.stream()) {
                    long silentSince = slot.firstByte == 0 ? slot.start : slot.lastByte;
                    longestGap.recordValue(Math.max(slot.longestGap, now - silentSince) / 1000);
                }
            }
        }
        while (!backlog.isEmpty()) {
            if (backlog.poll() >= measureStart) {
                incomplete++;
            }
        }
        finish(incomplete);
    }

    private void finishIfDrained() {
        if (running && windowEnded && inFlight == 0 && backlog.isEmpty()) {
            finish(0);
        }
    }

    private void finish(long incomplete) {
        running = false;
        // Until the window's last answer: a target that fell behind is credited with what it served, not what was due.
        double seconds = (Math.max(measureEnd, lastCompletion) - measureStart) / 1e9;
        result.complete(new LoadResult(requests, errors, incomplete, seconds, latency, firstEvent, eventSpan,
                longestGap, events, bodyBytes));
    }

    private void completed(Slot slot, long now) {
        inFlight--;
        if (slot.inWindow && running) {
            if (slot.status / 100 == 2) {
                requests++;
                lastCompletion = now;
                bodyBytes += slot.bodyBytes;
                latency.recordValue(Math.max(0, now - slot.start) / 1000);
                if (request.stream()) {
                    events += slot.events;
                    firstEvent.recordValue(Math.max(0, slot.firstByte - slot.start) / 1000);
                    eventSpan.recordValue((slot.lastByte - slot.firstByte) / 1000);
                    longestGap.recordValue(slot.longestGap / 1000);
                }
            } else {
                errors++;
            }
        }
        sendNext(slot, now);
        finishIfDrained();
    }

    private void sendNext(Slot slot, long now) {
        if (slot.retired) {
            return;
        }
        if (running && mode == Mode.CLOSED && now < measureEnd) {
            slot.send(now);
        } else if (running && mode == Mode.OPEN && !backlog.isEmpty()) {
            slot.send(backlog.poll());
        } else {
            idle.add(slot);
        }
    }

    /**
     * A place for one request at a time: an HTTP/1.1 keep-alive connection, or one of an HTTP/2 connection's
     * {@code streamsPerConnection}, each request a new stream. It counts a stream's SSE events (each ends at a blank
     * line) as they pass, as a {@link ByteProcessor} over the body, so counting allocates nothing.
     */
    private final class Slot implements ByteProcessor {
        private final Channel channel;
        /** HTTP/2: opens each request's stream; null for HTTP/1.1. */
        private final Http2StreamChannelBootstrap streams;
        /** HTTP/2: the current request's stream, to tell its end from an earlier stream's. */
        private Channel stream;
        /** HTTP/2: its connection had GOAWAY; it sends no more (its connection's replacement has slots of its own). */
        private boolean retired;
        private boolean busy;
        private boolean inWindow;
        private long start;
        private long firstByte;
        private long lastByte;
        private long longestGap;
        private int events;
        private boolean afterNewline;
        private int status;
        private long bodyBytes;

        Slot(Channel channel, boolean http2) {
            this.channel = channel;
            this.streams = http2 ? new Http2StreamChannelBootstrap(channel).handler(new StreamReader(this)) : null;
        }

        void send(long start) {
            this.start = start;
            inWindow = start >= measureStart && start < measureEnd;
            busy = true;
            firstByte = 0;
            lastByte = 0;
            longestGap = 0;
            events = 0;
            afterNewline = false;
            status = 0;
            bodyBytes = 0;
            inFlight++;
            // Until the new stream opens, no stream is this slot's: an earlier one closing late is not its loss.
            stream = null;
            if (streams == null) {
                channel.writeAndFlush(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, PATH,
                        body.duplicate(), headers, EmptyHttpHeaders.INSTANCE), channel.voidPromise());
                return;
            }
            streams.open().addListener((Future<Http2StreamChannel> opened) -> {
                if (opened.isSuccess()) {
                    stream = opened.getNow();
                    Http2Client.writeRequest(opened.getNow(), http2Headers, body);
                } else {
                    lost();
                    sendNextIfConnected(this);
                }
            });
        }

        void read(Object msg) {
            if (msg instanceof HttpResponse response) {
                status = response.status().code();
            }
            if (msg instanceof HttpContent content) {
                int readable = content.content().readableBytes();
                if (readable > 0) {
                    bodyRead(content.content());
                }
                bodyBytes += readable;
                if (msg instanceof LastHttpContent && busy) {
                    busy = false;
                    completed(this, System.nanoTime());
                }
            }
        }

        /** Stream timing: first byte, last byte, and the longest silence between two reads of the body. */
        private void bodyRead(ByteBuf bytes) {
            long now = System.nanoTime();
            if (firstByte == 0) {
                firstByte = now;
            } else {
                longestGap = Math.max(longestGap, now - lastByte);
            }
            lastByte = now;
            if (request.stream()) {
                bytes.forEachByte(this);
            }
        }

        @Override
        public boolean process(byte value) {
            if (value == '\n') {
                if (afterNewline) {
                    events++;
                }
                afterNewline = !afterNewline;
            } else {
                afterNewline = false;
            }
            return true;
        }

        /** The request's connection or stream ended before its answer did: an error if it counted. */
        void lost() {
            if (busy) {
                busy = false;
                inFlight--;
                if (inWindow && running) {
                    errors++;
                }
            }
        }
    }

    private void join(Slot slot) {
        slots.add(slot);
        if (running) {
            // A replacement for a lost connection joins the run at once.
            sendNext(slot, System.nanoTime());
        } else {
            idle.add(slot);
        }
    }

    /**
     * A connection went away: its slots leave, and while the window lasts another connection replaces it (unless
     * {@code replaced}: a GOAWAY already opened its replacement).
     */
    private void connectionLost(List<Slot> lost, boolean replaced) {
        for (Slot slot : lost) {
            slot.lost();
            slots.remove(slot);
            idle.remove(slot);
        }
        if (!replaced) {
            replace();
        }
        finishIfDrained();
    }

    private void replace() {
        if (running && !closing && System.nanoTime() < measureEnd) {
            bootstrap.connect(request.host(), request.port());
        }
    }

    /**
     * HTTP/2 GOAWAY (nginx sends one after {@code keepalive_requests} streams): as a real client does, the
     * connection takes no new stream, the ones in flight finish on it, and a new connection replaces it now.
     * Without this, each slot would open a stream the codec refuses, count an error and try again at once.
     */
    private void goneAway(List<Slot> own) {
        for (Slot slot : own) {
            slot.retired = true;
            idle.remove(slot);
        }
        replace();
    }

    /** HTTP/2: a stream that failed leaves its slot free for the next request while the connection lasts. */
    private void sendNextIfConnected(Slot slot) {
        if (slot.channel.isActive() && slots.contains(slot)) {
            sendNext(slot, System.nanoTime());
        }
        finishIfDrained();
    }

    /** An HTTP/1.1 connection: one slot. */
    private final class Http1Connection extends ChannelInboundHandlerAdapter {
        private Slot slot;

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            slot = new Slot(ctx.channel(), false);
            join(slot);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                slot.read(msg);
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            connectionLost(List.of(slot), false);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** An HTTP/2 connection (h2c, prior knowledge): {@code streamsPerConnection} slots. */
    private final class Http2Connection extends ChannelInboundHandlerAdapter {
        private final List<Slot> own = new ArrayList<>();
        private boolean goneAway;

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            for (int i = 0; i < request.streamsPerConnection(); i++) {
                Slot slot = new Slot(ctx.channel(), true);
                own.add(slot);
                join(slot);
            }
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Http2GoAwayFrame && !goneAway) {
                goneAway = true;
                goneAway(own);
            }
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            connectionLost(own, goneAway);
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** One HTTP/2 stream's answer, as HTTP objects, to its slot; a stream reset before the answer ended is lost. */
    @ChannelHandler.Sharable
    private final class StreamReader extends ChannelInitializer<Http2StreamChannel> {
        private final Slot slot;
        private final ChannelInboundHandlerAdapter reader = new Reader();

        StreamReader(Slot slot) {
            this.slot = slot;
        }

        @Override
        protected void initChannel(Http2StreamChannel ch) {
            ch.pipeline().addLast(Http2Client.responseCodec(), reader);
        }

        @ChannelHandler.Sharable
        private final class Reader extends ChannelInboundHandlerAdapter {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                try {
                    if (ctx.channel() == slot.stream) {
                        slot.read(msg);
                    }
                } finally {
                    ReferenceCountUtil.release(msg);
                }
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) {
                if (ctx.channel() == slot.stream && slot.busy) {
                    slot.lost();
                    sendNextIfConnected(slot);
                }
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                ctx.close();
            }
        }
    }
}
