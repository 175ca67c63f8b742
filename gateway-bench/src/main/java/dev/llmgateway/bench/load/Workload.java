package dev.llmgateway.bench.load;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * The named workloads of {@code scripts/bench --workload NAME}: the ways users and public gateway benchmarks load
 * a proxy, each a preset of {@link HarnessOptions} that the command line may still change.
 */
enum Workload {
    /** Maximum requests per second for ~1 KB JSON answers. */
    THROUGHPUT(b -> { }),
    /** Maximum streams per second, each 20 events the upstream writes at once: the proxy's per-event cost. */
    THROUGHPUT_STREAM(b -> b.stream = true),
    /** One connection, one request after another: what the proxy adds to a request when nothing queues. */
    LATENCY(b -> {
        b.connections = 1;
        b.layout = HarnessOptions.Layout.SHARED;
    }),
    /** Streams paced like a model's tokens at a moderate rate: added time to first event, and per event. */
    TTFT(b -> {
        b.mode = HarnessOptions.LoadMode.OPEN;
        b.rate = 200;
        b.stream = true;
        b.eventDelayMs = 5;
        b.layout = HarnessOptions.Layout.SHARED;
    }),
    /** Many connections to an upstream that takes 20 ms, as a model server's short answers do. */
    SUSTAINED(b -> {
        b.connections = 1000;
        b.answerDelayMs = 20;
    }),
    /** Ten thousand slow streams open at once: stalls and memory, not speed. */
    HELD_STREAMS(b -> {
        b.mode = HarnessOptions.LoadMode.HELD;
        b.connections = 10_000;
        b.rate = 5_000;
        b.eventDelayMs = 50;
    }),
    /** THROUGHPUT_STREAM through the gateway's Anthropic-to-OpenAI translation, beside its pass-through. */
    TRANSLATED(b -> {
        b.stream = true;
        b.workloadTargets = List.of("direct", "gateway", "gateway-translated");
    }),
    /** THROUGHPUT with every key limit counted: per replica, and shared in a redis-server (one round trip each). */
    SHARED_LIMITS(b -> b.workloadTargets = List.of("direct", "gateway-limits", "gateway-shared")),
    /** LATENCY with the same two: what one Redis round trip adds to a request when nothing queues. */
    SHARED_LATENCY(b -> {
        b.connections = 1;
        b.layout = HarnessOptions.Layout.SHARED;
        b.workloadTargets = List.of("direct", "gateway-limits", "gateway-shared");
    }),
    /** THROUGHPUT with the proxies reaching the upstream over https: what TLS costs each of them. */
    THROUGHPUT_TLS(b -> b.upstreamTls = true),
    /** LATENCY over https to the upstream: what the proxy's TLS adds to a request when nothing queues. */
    LATENCY_TLS(b -> {
        b.connections = 1;
        b.layout = HarnessOptions.Layout.SHARED;
        b.upstreamTls = true;
    }),
    /** THROUGHPUT with the gateway over HTTP/1.1 and over HTTP/2 to the upstream; nginx's proxy_pass is HTTP/1.1. */
    UPSTREAM_H2(b -> b.workloadTargets = List.of("direct", "nginx", "gateway", HarnessOptions.GATEWAY_UPSTREAM_H2)),
    /**
     * A thousand streams held at once, as in HELD_STREAMS: how many upstream connections each proxy opens for them
     * over HTTP/1.1 (one per stream) and HTTP/2 (one per {@link MockUpstream#MAX_CONCURRENT_STREAMS}).
     */
    UPSTREAM_CONNECTIONS(b -> {
        b.mode = HarnessOptions.LoadMode.HELD;
        b.connections = 1_000;
        b.ownStreamCount = true;
        b.rate = 5_000;
        b.eventDelayMs = 50;
        b.workloadTargets = List.of("direct", "nginx", "gateway", HarnessOptions.GATEWAY_UPSTREAM_H2);
    }),
    /** THROUGHPUT from an h2c balancer: 8 connections of 8 streams, the same 64 requests in flight. */
    THROUGHPUT_H2C(b -> {
        b.clientHttp2 = true;
        b.connections = 8;
        b.streamsPerConnection = 8;
    }),
    /** LATENCY from an h2c balancer: one stream at a time on one connection. */
    LATENCY_H2C(b -> {
        b.clientHttp2 = true;
        b.connections = 1;
        b.layout = HarnessOptions.Layout.SHARED;
    }),
    /**
     * An h2c client resets its stream at the first event: how soon the upstream sees that stream end, over
     * HTTP/1.1 (the connection closed) and HTTP/2 (RST_STREAM). Streams of 50 events 10 ms apart, long enough
     * that only a reset ends one early.
     */
    CANCEL_H2(b -> {
        b.mode = HarnessOptions.LoadMode.CANCEL;
        b.events = 50;
        b.eventDelayMs = 10;
        b.layout = HarnessOptions.Layout.SHARED;
        b.workloadTargets = List.of("direct", "nginx", "gateway", HarnessOptions.GATEWAY_UPSTREAM_H2);
    });

    final Consumer<HarnessOptions.Builder> preset;

    Workload(Consumer<HarnessOptions.Builder> preset) {
        this.preset = preset;
    }

    String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    static Workload named(String label) {
        return Arrays.stream(values()).filter(w -> w.label().equals(label)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown workload " + label + " (expected: "
                        + Arrays.stream(values()).map(Workload::label).toList() + " or all)"));
    }
}
