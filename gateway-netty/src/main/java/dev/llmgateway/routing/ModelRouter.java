package dev.llmgateway.routing;

import dev.llmgateway.exchange.Balancer;
import dev.llmgateway.exchange.ModelGlob;
import dev.llmgateway.exchange.Route;
import dev.llmgateway.config.Deployment;
import dev.llmgateway.config.GatewayConfig;
import dev.llmgateway.config.ModelConfig;
import dev.llmgateway.config.RouteRule;
import dev.llmgateway.config.UpstreamPolicy;
import dev.llmgateway.cost.PriceTable;
import dev.llmgateway.json.JsonSplice;
import dev.llmgateway.upstream.Provider;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Model resolution (docs/ARCHITECTURE.md §2): exact alias → {@code provider:model} or {@code provider/model} for a
 * configured provider → prefix rules → default provider → none (404 {@code model_not_found}). Immutable; alias
 * routes are built once per config snapshot.
 */
public final class ModelRouter {
    public static final String OTHER_MODEL = "other";
    /** Resolved non-alias names are kept so a route's JSON literals are built once; bounded against junk names. */
    private static final int MAX_CACHED_ROUTES = 4096;

    private final ConcurrentHashMap<String, Route> resolved = new ConcurrentHashMap<>();
    private final Map<String, Route> aliases;
    private final Map<String, Provider> providers;
    private final List<Rule> rules;
    private final Provider defaultProvider;
    private final PriceTable prices;

    private record Rule(ModelGlob glob, Provider provider) {
    }

    public ModelRouter(GatewayConfig config, Map<String, Provider> providers) {
        this.providers = Map.copyOf(providers);
        this.prices = PriceTable.of(config.prices());
        Map<String, Route> plain = new LinkedHashMap<>();
        for (ModelConfig model : config.models().values()) {
            plain.put(model.alias(), aliasRoute(model, providers, prices));
        }
        // Fallbacks point at the plain routes: a chain is the alias's own list, never its fallbacks' fallbacks.
        Map<String, Route> byAlias = new LinkedHashMap<>();
        for (ModelConfig model : config.models().values()) {
            Route own = plain.get(model.alias());
            byAlias.put(model.alias(), model.fallbacks().isEmpty() ? own
                    : new Route(own.requestedModel(), own.requestedModelJson(), own.provider(), own.apiModel(),
                    own.apiModelJson(), own.metricsModel(), own.policy(),
                    model.fallbacks().stream().map(plain::get).toList(), own.balancer(), own.price()));
        }
        this.aliases = java.util.Collections.unmodifiableMap(byAlias);
        List<Rule> ruleList = new ArrayList<>();
        for (RouteRule rule : config.routing().rules()) {
            ruleList.add(new Rule(ModelGlob.of(rule.match()), providers.get(rule.provider())));
        }
        this.rules = List.copyOf(ruleList);
        String defaultName = config.routing().defaultProvider();
        this.defaultProvider = defaultName == null ? null : providers.get(defaultName);
    }

    /** The route for a model name, or null when nothing serves it. */
    public Route route(String model) {
        Route alias = aliases.get(model);
        if (alias != null) {
            return alias;
        }
        Route known = resolved.get(model);
        if (known != null) {
            return known;
        }
        Route route = resolve(model);
        if (route != null && resolved.size() < MAX_CACHED_ROUTES) {
            resolved.putIfAbsent(model, route);
        }
        return route;
    }

    private Route resolve(String model) {
        int separator = indexOfSeparator(model);
        if (separator > 0 && separator < model.length() - 1) {
            Provider named = providers.get(model.substring(0, separator));
            if (named != null) {
                return route(model, named, model.substring(separator + 1), OTHER_MODEL, named.config().policy(),
                        prices);
            }
        }
        for (Rule rule : rules) {
            if (rule.glob.matches(model)) {
                return route(model, rule.provider, model, OTHER_MODEL, rule.provider.config().policy(), prices);
            }
        }
        return defaultProvider == null ? null
                : route(model, defaultProvider, model, OTHER_MODEL, defaultProvider.config().policy(), prices);
    }

    /** Configured aliases in file order, for {@code /v1/models}. */
    public Map<String, Route> aliases() {
        return aliases;
    }

    /**
     * An alias's route: its first deployment's target, with a balancer over all of them when there are several.
     * Each deployment serves under its own policy (its provider's, with the alias's overrides).
     */
    private static Route aliasRoute(ModelConfig model, Map<String, Provider> providers, PriceTable prices) {
        List<Route> deployed = new ArrayList<>();
        int[] weights = new int[model.deployments().size()];
        for (int i = 0; i < weights.length; i++) {
            Deployment deployment = model.deployments().get(i);
            deployed.add(route(model.alias(), providers.get(deployment.provider()), deployment.apiModel(),
                    model.alias(), deployment.policy(), prices));
            weights[i] = deployment.weight();
        }
        Route first = deployed.get(0);
        if (deployed.size() == 1) {
            return first;
        }
        return new Route(first.requestedModel(), first.requestedModelJson(), first.provider(), first.apiModel(),
                first.apiModelJson(), first.metricsModel(), first.policy(), List.of(), new Balancer(deployed, weights),
                first.price());
    }

    private static int indexOfSeparator(String model) {
        for (int i = 0; i < model.length(); i++) {
            char c = model.charAt(i);
            if (c == ':' || c == '/') {
                return i;
            }
        }
        return -1;
    }

    private static Route route(String requested, Provider provider, String apiModel, String metricsModel,
                               UpstreamPolicy policy, PriceTable prices) {
        return new Route(requested, JsonSplice.quoted(requested), provider, apiModel, JsonSplice.quoted(apiModel),
                metricsModel, policy, List.of(), null, prices.find(provider.name(), apiModel));
    }
}
