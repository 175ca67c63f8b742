package dev.llmgateway.exchange;

import dev.llmgateway.dialect.ApiError;
import dev.llmgateway.json.SecretScrubber;
import dev.llmgateway.upstream.Provider;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The authenticated caller: a gateway key's name (what logs and metrics show, never the secret) and its policy:
 * allowed models, limits, and its own provider credentials (provider name → key) when it is a virtual key.
 */
public record Principal(String name, List<ModelGlob> allowedModels, Limiter limiter,
                        Map<String, String> providerKeys, Map<String, SecretScrubber> providerKeyScrubbers) {

    public Principal(String name, List<ModelGlob> allowedModels, Limiter limiter, Map<String, String> providerKeys) {
        this(name, allowedModels, limiter, providerKeys, scrubbers(providerKeys));
    }

    /** The key's limits, held in the auth stage; declared here so the principal can carry them down the path. */
    public interface Limiter {
        /** Admits one request (it then holds a slot until {@link #finished}), or returns the 429 to send. */
        ApiError admit();

        /** An admitted request ended having used {@code usedTokens} (input + output). */
        void finished(long usedTokens);
    }

    public boolean mayUse(String model) {
        return ModelGlob.anyMatches(allowedModels, model);
    }

    /** This key's own credential for {@code provider}, or null to use the provider's keys. */
    public String providerKey(String provider) {
        return providerKeys.get(provider);
    }

    /** Masks the keys this caller's requests to {@code provider} go with: its own credential, else the provider's. */
    public SecretScrubber keysSentTo(Provider provider) {
        SecretScrubber own = providerKeyScrubbers.get(provider.name());
        return own != null ? own : provider.keyScrubber();
    }

    private static Map<String, SecretScrubber> scrubbers(Map<String, String> providerKeys) {
        Map<String, SecretScrubber> scrubbers = new HashMap<>();
        providerKeys.forEach((provider, key) -> scrubbers.put(provider, SecretScrubber.of(List.of(key))));
        return Map.copyOf(scrubbers);
    }

    /** Leaves the provider credentials out. */
    @Override
    public String toString() {
        return "Principal[name=" + name + ", allowedModels=" + allowedModels + "]";
    }
}
