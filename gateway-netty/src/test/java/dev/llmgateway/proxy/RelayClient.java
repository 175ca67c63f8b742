package dev.llmgateway.proxy;

import dev.llmgateway.accesslog.Outcome;
import dev.llmgateway.exchange.Exchange;
import dev.llmgateway.server.Snapshot;
import dev.llmgateway.testutil.ClientResponse;
import dev.llmgateway.testutil.Exchanges;
import dev.llmgateway.testutil.FlushCounter;
import dev.llmgateway.testutil.GatewayHarness;
import dev.llmgateway.testutil.RecordingObserver;
import dev.llmgateway.upstream.Provider;
import io.netty.channel.embedded.EmbeddedChannel;

import java.util.function.Consumer;

/**
 * The client side of a relay under test, in place of {@link ProxyCall}: the client's EmbeddedChannel (its flushes
 * counted), the exchange, and what the relay told its call — the response ended (on a reusable connection or not)
 * or the provider's answer is broken. Closing ends the exchange and releases what the client was not read.
 */
final class RelayClient implements AutoCloseable {
    /** Provider "ant"'s key; provider "up"'s is {@link dev.llmgateway.testutil.GatewayHarness#openAiConfig}'s. */
    static final String ANTHROPIC_KEY = "sk-ant-relay-0123456789";
    /** "fast" goes to an OpenAI-compatible provider, "claude" to Anthropic, "gpt" to the OpenAI-compatible one. */
    private static final String CONFIG = GatewayHarness.openAiConfig(Exchanges.UNUSED_BASE_URL, """

            [providers.ant]
            type = "anthropic"
            base_url = "%s"
            api_keys = ["%s"]

            [models."fast"]
            provider = "up"
            api_model = "up-model"

            [models."claude"]
            provider = "ant"
            api_model = "claude-sonnet-4-5-20250929"

            [models."gpt"]
            provider = "up"
            api_model = "gpt-4o-mini-2024-07-18"
            """.formatted(Exchanges.UNUSED_BASE_URL, ANTHROPIC_KEY));

    final FlushCounter flushes = new FlushCounter();
    final EmbeddedChannel downstream = new EmbeddedChannel(flushes);
    final Relay.Ended ended = reusable -> this.endedReusable = reusable;
    final Consumer<String> broken = reason -> this.brokenReason = reason;
    private Exchange exchange;
    private Boolean endedReusable;
    private String brokenReason;

    private final Snapshot snapshot = Exchanges.snapshot(CONFIG);

    /** A new exchange for the relay to serve; one before it ends. */
    Exchange exchange(String path, String json) {
        if (exchange != null) {
            exchange.end(200, Outcome.COMPLETED, null);
        }
        exchange = Exchanges.routed(downstream, snapshot, path, json, new RecordingObserver());
        return exchange;
    }

    Exchange exchange() {
        return exchange;
    }

    /** What the call gives the relay of the current exchange: its provider's keys, the first one sent. */
    KeyMasks keyMasks() {
        Provider provider = exchange.route().provider();
        return KeyMasks.of(exchange, provider, provider.keys().key(0));
    }

    /** Null until the relay ended the response; then whether the upstream connection may be reused. */
    Boolean endedReusable() {
        return endedReusable;
    }

    /** Null unless the relay found the provider's answer unusable. */
    String brokenReason() {
        return brokenReason;
    }

    ClientResponse read() {
        return ClientResponse.read(downstream);
    }

    @Override
    public void close() {
        if (exchange != null) {
            exchange.end(200, Outcome.COMPLETED, null);
        }
        downstream.finishAndReleaseAll();
    }
}
