package dev.llmgateway.exchange;

import dev.llmgateway.dialect.ApiError;

import java.util.List;
import java.util.Map;

/**
 * The authenticated caller: a gateway key's name (what logs and metrics show, never the secret) and its policy:
 * allowed models, limits, and its own provider credentials (provider name → key) when it is a virtual key.
 */
public record Principal(String name, List<ModelGlob> allowedModels, Limiter limiter,
                        Map<String, String> providerKeys) {

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

    /** Leaves the provider credentials out. */
    @Override
    public String toString() {
        return "Principal[name=" + name + ", allowedModels=" + allowedModels + "]";
    }
}
