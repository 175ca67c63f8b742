package dev.llmgateway.exchange;

import dev.llmgateway.config.UpstreamPolicy;
import dev.llmgateway.cost.ModelPrice;
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
 * @param price              what {@code apiModel} costs at {@code provider}, found once; null when unpriced
 */
public record Route(String requestedModel, ByteBuf requestedModelJson, Provider provider, String apiModel,
                    ByteBuf apiModelJson, String metricsModel, UpstreamPolicy policy, List<Route> fallbacks,
                    Balancer balancer, ModelPrice price) {
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
                asked.metricsModel, policy, List.of(), null, price);
    }

    /**
     * The most the request can cost on any target it may be served by (this route, each deployment, each
     * fallback), in picodollars; -1 when none of them has a price.
     */
    public long worstCase(long inputTokens, long outputTokens, long defaultOutputCap) {
        long worst = worstCaseHere(inputTokens, outputTokens, defaultOutputCap);
        if (balancer != null) {
            for (Route deployment : balancer.routes()) {
                worst = Math.max(worst, deployment.worstCaseHere(inputTokens, outputTokens, defaultOutputCap));
            }
        }
        for (Route fallback : fallbacks) {
            worst = Math.max(worst, fallback.worstCase(inputTokens, outputTokens, defaultOutputCap));
        }
        return worst;
    }

    /** {@code outputTokens} -1: the model's output cap, else {@code defaultOutputCap}. */
    private long worstCaseHere(long inputTokens, long outputTokens, long defaultOutputCap) {
        if (price == null) {
            return -1;
        }
        long output = outputTokens >= 0 ? outputTokens
                : price.maxOutputTokens() > 0 ? price.maxOutputTokens() : defaultOutputCap;
        return price.worstCase(inputTokens, output);
    }
}
