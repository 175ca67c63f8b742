package dev.llmgateway.routing;

import dev.llmgateway.config.UpstreamPolicy;
import dev.llmgateway.upstream.Provider;
import io.netty.buffer.ByteBuf;

/**
 * Where one model name goes: the provider, the model name the provider is sent, and what the client is told.
 *
 * @param requestedModel     the model as the client named it; every response names this one
 * @param requestedModelJson {@code requestedModel} as a JSON string literal, shared and read-only
 * @param apiModelJson       {@code apiModel} as a JSON string literal, shared and read-only
 * @param metricsModel       the configured alias, or {@code other}: keeps metric label cardinality bounded
 * @param policy             timeouts and retries: the alias's, else the provider's
 */
public record Route(String requestedModel, ByteBuf requestedModelJson, Provider provider, String apiModel,
                    ByteBuf apiModelJson, String metricsModel, UpstreamPolicy policy) {
}
