package dev.llmgateway.shared;

import dev.llmgateway.config.KeyLimits;
import dev.llmgateway.config.SharedConfig;
import dev.llmgateway.upstream.KeyRing;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.MaintNotificationsConfig;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.metrics.CommandLatencyRecorder;
import io.lettuce.core.protocol.ProtocolVersion;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Transports;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.resolver.dns.DnsAddressResolverGroup;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.util.concurrent.DefaultEventExecutorGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.prometheus.client.CollectorRegistry;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The state the gateway's replicas share through one Redis ({@code [shared]}): each key's limits (admitted and
 * charged by {@link KeyCounters}) and the rests of upstream keys answered 429 ({@link #share}). One Redis connection
 * per gateway event loop, its channel on that loop ({@link RedisLink}), plus one subscription that hears the other
 * replicas' rests ({@link RestBoard}). Lettuce gets the gateway's loops, never threads of its own for I/O; its one
 * extra thread ({@code shared-state-events}) carries only its connection events.
 *
 * <p>Whether Redis is reachable is each connection's own state; {@link #up()} is true while all are. The change of
 * that answer is logged once each way (a warning when Redis goes away, naming what {@code on_unavailable} now does),
 * and {@code llm_shared_state_up} shows it.
 */
public final class SharedState implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(SharedState.class.getName());
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration MIN_CONNECT_TIMEOUT = Duration.ofSeconds(3);

    /** Hears a rest another replica (or this one) published: upstream key {@code keyId} of {@code provider}. */
    public interface RestListener {
        void rested(String provider, String keyId, long nanos);
    }

    private final SharedConfig config;
    private final String replicaId;
    private final DefaultEventExecutorGroup events;
    private final DnsAddressResolverGroup resolver;
    private final ClientResources resources;
    /** Each client's copy of {@link #resources} (sharing its timer and executor), pinned to the client's loop. */
    private final List<ClientResources> pinnedResources = new ArrayList<>();
    private final List<RedisClient> clients = new ArrayList<>();
    private final Map<EventExecutor, RedisLink> links = new HashMap<>();
    private final SharedStateMetrics metrics;
    private final RestBoard board;
    private final String[] restKeys;
    private final String restChannel;
    private final AtomicInteger linksUp = new AtomicInteger();
    private final AtomicBoolean reportedDown = new AtomicBoolean();
    private final AtomicBoolean everUp = new AtomicBoolean();

    private SharedState(SharedConfig config, EventLoopGroup loops, Class<? extends SocketChannel> socketChannel,
                        Class<? extends DatagramChannel> datagramChannel, CollectorRegistry registry,
                        RestListener rests) {
        this.config = config;
        this.replicaId = Long.toString(new SecureRandom().nextLong() & Long.MAX_VALUE, 36);
        this.restKeys = new String[] {config.keyPrefix() + "upstream-key-rests"};
        this.restChannel = config.keyPrefix() + "upstream-key-rests";
        this.metrics = new SharedStateMetrics(registry, this::up);
        this.events = new DefaultEventExecutorGroup(1, new DefaultThreadFactory("shared-state-events", true));
        this.resolver = new DnsAddressResolverGroup(new DnsNameResolverBuilder()
                .datagramChannelType(datagramChannel).socketChannelType(socketChannel));
        EventLoop first = loops.next();
        this.resources = DefaultClientResources.builder()
                .eventLoopGroupProvider(new LoopResources(first))
                .eventExecutorGroup(events)
                .addressResolverGroup(resolver)
                .commandLatencyRecorder(CommandLatencyRecorder.disabled())
                .build();
        RedisURI uri = redisUri(config);
        int index = 0;
        for (EventExecutor executor : loops) {
            EventLoop loop = (EventLoop) executor;
            RedisClient client = client(loop, uri);
            links.put(loop, new RedisLink(this, loop, client, uri, index++));
        }
        this.board = new RestBoard(this, first, client(first, uri), uri, rests);
    }

    /**
     * Connects to the Redis of {@code config} in the background, one connection per loop of {@code loops}, whose
     * transport {@code socketChannel} and {@code datagramChannel} belong to. Requests are decided without Redis
     * (as {@code on_unavailable} says) until the first connection is up.
     */
    public static SharedState start(SharedConfig config, EventLoopGroup loops,
                                    Class<? extends SocketChannel> socketChannel,
                                    Class<? extends DatagramChannel> datagramChannel, CollectorRegistry registry,
                                    RestListener rests) {
        useTransport(socketChannel);
        SharedState state = new SharedState(config, loops, socketChannel, datagramChannel, registry, rests);
        state.links.values().forEach(RedisLink::start);
        state.board.start();
        return state;
    }

    /**
     * Lettuce picks its channel class once per process from its own detection (epoll, kqueue, io_uring, NIO), and a
     * channel only registers on a loop of its own transport: so it is told to detect the gateway's transport.
     */
    private static void useTransport(Class<? extends SocketChannel> socketChannel) {
        String name = socketChannel.getSimpleName();
        System.setProperty("io.lettuce.core.epoll", Boolean.toString(name.startsWith("Epoll")));
        System.setProperty("io.lettuce.core.iouring", Boolean.toString(name.startsWith("IoUring")));
        System.setProperty("io.lettuce.core.kqueue", "false");
        if (Transports.socketChannelClass() != socketChannel) {
            throw new IllegalStateException("shared state: Redis connections would use "
                    + Transports.socketChannelClass().getSimpleName() + " but the event loops are for "
                    + name + " (another server.transport started earlier in this process)");
        }
    }

    private RedisClient client(EventLoop loop, RedisURI uri) {
        ClientResources pinned = resources.mutate().eventLoopGroupProvider(new LoopResources(loop)).build();
        pinnedResources.add(pinned);
        RedisClient client = RedisClient.create(pinned, uri);
        client.setOptions(ClientOptions.builder()
                // Each connection's owner (RedisLink, RestBoard) reconnects it, with its own state and backoff.
                .autoReconnect(false)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .requestQueueSize(RedisLink.MAX_BACKLOG * 4)
                .protocolVersion(ProtocolVersion.RESP2)
                .maintNotificationsConfig(MaintNotificationsConfig.disabled())
                .timeoutOptions(TimeoutOptions.builder().timeoutCommands(false).build())
                .socketOptions(SocketOptions.builder()
                        .connectTimeout(connectTimeout())
                        .keepAlive(true).tcpNoDelay(true).build())
                .build());
        clients.add(client);
        return client;
    }

    /** The URL's parts as Lettuce takes them; the password is URL-decoded, and only Lettuce ever holds it. */
    static RedisURI redisUri(SharedConfig config) {
        RedisURI.Builder uri = RedisURI.builder()
                .withHost(config.redisUrl().getHost())
                .withPort(config.port())
                .withDatabase(config.database())
                .withSsl(config.tls())
                .withClientName("llm-gateway");
        String userInfo = config.redisUrl().getRawUserInfo();
        if (userInfo != null && !userInfo.isEmpty()) {
            int colon = userInfo.indexOf(':');
            String password = decode(colon < 0 ? userInfo : userInfo.substring(colon + 1));
            String user = colon <= 0 ? "" : decode(userInfo.substring(0, colon));
            if (user.isEmpty()) {
                uri.withPassword(password.toCharArray());
            } else {
                uri.withAuthentication(user, password);
            }
        }
        return uri.build();
    }

    private static String decode(String text) {
        return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    public SharedConfig config() {
        return config;
    }

    /**
     * The longest a connection may take to open and load the scripts: the request timeout, but at least 3 s (TLS,
     * AUTH and a cold start take several round trips; requests do not wait for it, they fall back meanwhile).
     */
    Duration connectTimeout() {
        return config.timeout().compareTo(MIN_CONNECT_TIMEOUT) > 0 ? config.timeout() : MIN_CONNECT_TIMEOUT;
    }

    /** Whether every event loop's connection is up: requests are then decided by the shared state. */
    public boolean up() {
        return linksUp.get() == links.size();
    }

    /** The counters of gateway key {@code keyName} under {@code limits}. */
    public KeyCounters counters(String keyName, KeyLimits limits) {
        return new KeyCounters(this, config.keyPrefix(), keyName, limits);
    }

    /**
     * Shares {@code ring}'s rests after a 429 with every replica, under {@code provider}'s name; the listener given
     * at start applies the other replicas' rests.
     */
    public void share(String provider, KeyRing ring) {
        ring.share((keyId, nanos) -> publishRest(provider, keyId, nanos));
    }

    private void publishRest(String provider, String keyId, long nanos) {
        long millis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos));
        RedisLink here = linkOfThisLoop();
        if (here != null) {
            here.publishRest(provider + " " + keyId, millis);
            return;
        }
        // Not on one of the gateway's loops (nothing in the server does this): hand it to the first.
        RedisLink any = links.get(board.loop());
        any.loop().execute(() -> any.publishRest(provider + " " + keyId, millis));
    }

    /** The connection of the event loop this runs on; null off the gateway's loops. */
    RedisLink linkOfThisLoop() {
        for (RedisLink link : links.values()) {
            if (link.loop().inEventLoop()) {
                return link;
            }
        }
        return null;
    }

    RedisLink link(EventLoop loop) {
        return links.get(loop);
    }

    /** Every link, for tests that check where answers ran. */
    List<RedisLink> links() {
        return List.copyOf(links.values());
    }

    SharedStateMetrics metrics() {
        return metrics;
    }

    String replicaId() {
        return replicaId;
    }

    String[] restKeys() {
        return restKeys;
    }

    String restChannel() {
        return restChannel;
    }

    void linkUp(RedisLink link) {
        if (link.loop() == board.loop()) {
            board.catchUp(link);
        }
        if (linksUp.incrementAndGet() != links.size()) {
            return;
        }
        if (reportedDown.compareAndSet(true, false) && everUp.get()) {
            LOG.info("shared state reachable again (" + config.redisAddress()
                    + "): key limits and USD budgets are shared");
        } else if (everUp.compareAndSet(false, true)) {
            reportedDown.set(false);
            LOG.info("shared state: connected to " + config.redisAddress() + " (" + links.size()
                    + " connections, one per event loop): key limits and USD budgets are shared");
        }
    }

    void linkDown(RedisLink link, String reason) {
        linksUp.decrementAndGet();
        reportUnavailable(reason);
    }

    void connectFailed(RedisLink link, String reason) {
        reportUnavailable(reason);
    }

    private void reportUnavailable(String reason) {
        if (reportedDown.compareAndSet(false, true)) {
            LOG.warning("shared state unavailable (" + config.redisAddress() + ": " + reason + "): "
                    + (config.onUnavailable() == SharedConfig.OnUnavailable.LOCAL
                    ? "key limits and USD budgets are counted by each replica on its own until Redis answers again"
                    : "requests of keys with limits or USD budgets are refused (503) until Redis answers again")
                    + " (on_unavailable = " + config.onUnavailable().name().toLowerCase() + ")");
        }
    }

    /** Closes the connections (what waits is answered unavailable) and Lettuce's resources; call off the loops. */
    @Override
    public void close() {
        List<CompletableFuture<Void>> closing = new ArrayList<>();
        links.values().forEach(link -> closing.add(link.close()));
        closing.add(board.close());
        try {
            CompletableFuture.allOf(closing.toArray(new CompletableFuture<?>[0]))
                    .get(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            LOG.log(Level.FINE, "shared state: closing the connections took too long", e);
        }
        for (RedisClient client : clients) {
            client.shutdown(Duration.ZERO, CLOSE_TIMEOUT);
        }
        // Shutting a copy down stops only what it does not share; the base's shutdown stops the shared timer.
        pinnedResources.forEach(pinned -> pinned.shutdown(0, CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
        resources.shutdown(0, CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        resolver.close();
        events.shutdownGracefully(0, CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }
}
