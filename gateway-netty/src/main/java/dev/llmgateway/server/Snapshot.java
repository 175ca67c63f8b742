package dev.llmgateway.server;

import dev.llmgateway.auth.KeyTable;
import dev.llmgateway.config.GatewayConfig;
import dev.llmgateway.config.ProviderConfig;
import dev.llmgateway.cost.Budgets;
import dev.llmgateway.cost.LocalBudgetLedger;
import dev.llmgateway.routing.ModelRouter;
import dev.llmgateway.upstream.Provider;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One config as the handlers serve it: the validated config, its providers, key table, router and the keys' USD
 * budgets (with the ledger, which a reload hands on like the keys' usage). Immutable and
 * swapped whole by a reload; a request keeps the principal, route and provider it took from the snapshot it
 * arrived under, so it finishes on that snapshot whatever is swapped in meanwhile.
 */
public record Snapshot(GatewayConfig config, Map<String, Provider> providers, KeyTable keys, ModelRouter router,
                       Budgets budgets) {
    public Snapshot {
        providers = Collections.unmodifiableMap(new LinkedHashMap<>(providers));
    }

    /** The first snapshot of a process. */
    public static Snapshot of(GatewayConfig config) {
        Map<String, Provider> providers = new LinkedHashMap<>();
        config.providers().values().forEach(provider -> providers.put(provider.name(), new Provider(provider)));
        return new Snapshot(config, providers, new KeyTable(config.apiKeys()), new ModelRouter(config, providers),
                Budgets.of(config, new LocalBudgetLedger()));
    }

    /**
     * The snapshot that follows this one for {@code next}: a provider whose config is unchanged keeps its object
     * (pools, circuit, key rest times), a key its usage counters (by name); the rest is built anew.
     */
    Snapshot next(GatewayConfig next) {
        Map<String, Provider> kept = new LinkedHashMap<>();
        for (ProviderConfig config : next.providers().values()) {
            Provider running = providers.get(config.name());
            kept.put(config.name(), running != null && running.config().equals(config) ? running
                    : new Provider(config));
        }
        return new Snapshot(next, kept, new KeyTable(next.apiKeys(), keys), new ModelRouter(next, kept),
                Budgets.of(next, budgets.ledger()));
    }

    /** This snapshot's providers that {@code successor} does not use: removed, or replaced by a changed one. */
    List<Provider> retiredBy(Snapshot successor) {
        return providers.values().stream()
                .filter(provider -> successor.providers.get(provider.name()) != provider)
                .toList();
    }
}
