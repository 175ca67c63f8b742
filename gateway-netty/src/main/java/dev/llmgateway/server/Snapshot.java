package dev.llmgateway.server;

import dev.llmgateway.auth.KeyTable;
import dev.llmgateway.config.GatewayConfig;
import dev.llmgateway.config.ProviderConfig;
import dev.llmgateway.cost.BudgetLedger;
import dev.llmgateway.cost.Budgets;
import dev.llmgateway.cost.LocalBudgetLedger;
import dev.llmgateway.routing.ModelRouter;
import dev.llmgateway.shared.SharedBudgetLedger;
import dev.llmgateway.shared.SharedState;
import dev.llmgateway.upstream.Provider;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One config as the handlers serve it: the validated config, its providers, key table, router, the keys' USD
 * budgets (with the ledger, which a reload hands on like the keys' usage; in Redis with {@code [shared]}), and the
 * shared state (null without {@code [shared]}) that keys' limits, budgets and providers' key rests are shared
 * through. Immutable and
 * swapped whole by a reload; a request keeps the principal, route and provider it took from the snapshot it
 * arrived under, so it finishes on that snapshot whatever is swapped in meanwhile.
 */
public record Snapshot(GatewayConfig config, Map<String, Provider> providers, KeyTable keys, ModelRouter router,
                       Budgets budgets, SharedState shared) {
    public Snapshot {
        providers = Collections.unmodifiableMap(new LinkedHashMap<>(providers));
    }

    /** The first snapshot of a process without shared state. */
    public static Snapshot of(GatewayConfig config) {
        return of(config, null);
    }

    /** The first snapshot of a process, sharing limits, budgets and key rests through {@code shared} (null: none). */
    public static Snapshot of(GatewayConfig config, SharedState shared) {
        Map<String, Provider> providers = new LinkedHashMap<>();
        config.providers().values().forEach(provider -> providers.put(provider.name(), provider(provider, shared)));
        BudgetLedger ledger = shared == null ? new LocalBudgetLedger() : new SharedBudgetLedger(shared);
        return new Snapshot(config, providers, new KeyTable(config.apiKeys(), null, shared),
                new ModelRouter(config, providers), Budgets.of(config, ledger), shared);
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
                    : provider(config, shared));
        }
        return new Snapshot(next, kept, new KeyTable(next.apiKeys(), keys), new ModelRouter(next, kept),
                Budgets.of(next, budgets.ledger()), shared);
    }

    private static Provider provider(ProviderConfig config, SharedState shared) {
        Provider provider = new Provider(config);
        if (shared != null) {
            shared.share(provider.name(), provider.keys());
        }
        return provider;
    }

    /** This snapshot's providers that {@code successor} does not use: removed, or replaced by a changed one. */
    List<Provider> retiredBy(Snapshot successor) {
        return providers.values().stream()
                .filter(provider -> successor.providers.get(provider.name()) != provider)
                .toList();
    }
}
