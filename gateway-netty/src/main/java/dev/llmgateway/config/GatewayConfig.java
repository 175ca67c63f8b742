package dev.llmgateway.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The validated gateway configuration. {@code providers} and {@code models} hold only enabled entries,
 * in file order; {@code warnings} says what was disabled and why. {@code prices} are the config's own
 * {@code [prices]} entries (the shipped table is the cost package's). {@code shared} is null without a
 * {@code [shared]} table: every limit is then counted per replica.
 */
public record GatewayConfig(ServerConfig server, RoutingConfig routing, List<ApiKeyConfig> apiKeys,
                            Map<String, ProviderConfig> providers, Map<String, ModelConfig> models,
                            ObservabilityConfig observability, Map<String, PriceConfig> prices,
                            List<TeamConfig> teams, List<String> warnings, SharedConfig shared) {
    public GatewayConfig {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(observability, "observability");
        Objects.requireNonNull(routing, "routing");
        apiKeys = List.copyOf(apiKeys);
        providers = Collections.unmodifiableMap(new LinkedHashMap<>(providers));
        models = Collections.unmodifiableMap(new LinkedHashMap<>(models));
        prices = Collections.unmodifiableMap(new LinkedHashMap<>(prices));
        teams = List.copyOf(teams);
        warnings = List.copyOf(warnings);
    }

    /**
     * Every secret value the config holds, for redaction: the gateway keys, the virtual keys' provider credentials
     * and the providers' keys.
     */
    public List<String> secrets() {
        List<String> secrets = new ArrayList<>();
        for (ApiKeyConfig key : apiKeys) {
            secrets.add(key.key());
            secrets.addAll(key.providerKeys().values());
        }
        providers.values().forEach(provider -> secrets.addAll(provider.apiKeys()));
        return secrets;
    }
}
