package dev.llmgateway.exchange;

import dev.llmgateway.config.UpstreamPolicy;
import dev.llmgateway.upstream.Provider;
import io.netty.buffer.ByteBuf;

import java.util.List;

/**
 * Where one model name goes: the provider, the model name the provider is sent, and what the client is told.
 *
 * @param requestedModel     the model as the client named it; every response names this one
 * @param requestedModelJson {@code requestedModel} as a JSON string literal, shared and read-only
 * @param apiModelJson       {@code apiModel} as a JSON string literal, shared and read-only
 * @param metricsModel       the configured alias, or {@code other}: keeps metric label cardinality bounded
 * @param policy             timeouts and retries: the alias's, else the provider's
 * @param fallbacks          the alias routes tried in order when this one's attempts are used up (not transitive)
 * @param balancer           picks among the alias's deployments; null for one deployment (this route's target)
 */
public record Route(String requestedModel, ByteBuf requestedModelJson, Provider provider, String apiModel,
                    ByteBuf apiModelJson, String metricsModel, UpstreamPolicy policy, List<Route> fallbacks,
                    Balancer balancer) {
    public Route {
        fallbacks = List.copyOf(fallbacks);
    }

    /** The route of the deployment to use now: this one, or one the balancer picks. */
    public Route deployment(long nowNanos) {
        return balancer == null ? this : balancer.pick(nowNanos);
    }

    /** This route's target and policy serving a request made for {@code asked}: the client still sees its model. */
    public Route servingFor(Route asked) {
        return new Route(asked.requestedModel, asked.requestedModelJson, provider, apiModel, apiModelJson,
                asked.metricsModel, policy, List.of(), null);
    }
}
