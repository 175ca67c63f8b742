package dev.llmgateway.proxy;

import dev.llmgateway.exchange.Exchange;
import dev.llmgateway.json.SecretScrubber;
import dev.llmgateway.upstream.Provider;

/**
 * The provider keys a relay masks in what it forwards. {@code callKeys}: every key the call may send (a virtual
 * key's own credential, else all the provider's keys), looked for where a provider's own words go — headers,
 * errors, whole bodies, a stream's error events. {@code sentKey}: the key this attempt sent, looked for in every
 * other streamed event: the only key a provider can echo there, so a stream pays one pattern per event however
 * many keys the provider has.
 */
record KeyMasks(SecretScrubber callKeys, SecretScrubber sentKey) {
    /** The masks of an attempt on {@code provider} that sent {@code sentKey} (null: none). */
    static KeyMasks of(Exchange exchange, Provider provider, String sentKey) {
        SecretScrubber callKeys = exchange.principal() == null ? provider.keyScrubber()
                : exchange.principal().keysSentTo(provider);
        SecretScrubber sent = sentKey == null ? SecretScrubber.none() : provider.keyScrubber(sentKey);
        // Not one of the provider's keys: the virtual key's own credential, which callKeys holds alone.
        return new KeyMasks(callKeys, sent != null ? sent : callKeys);
    }
}
