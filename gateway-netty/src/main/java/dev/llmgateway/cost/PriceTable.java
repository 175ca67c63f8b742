package dev.llmgateway.cost;

import dev.llmgateway.config.ConfigException;
import dev.llmgateway.config.ConfigLoader;
import dev.llmgateway.config.GatewayConfig;
import dev.llmgateway.config.ProviderConfig;
import dev.llmgateway.config.ProviderType;
import dev.llmgateway.config.RouteRule;
import dev.llmgateway.config.PriceConfig;
import org.tomlj.Toml;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The prices the gateway knows: the table it ships ({@code prices.toml} beside this class, dated, its sources
 * named) with the config's {@code [prices]} entries over it. A model name finds its row through
 * {@link #find}; a route looks its price up once, when the config's routes are built, never per request.
 */
public final class PriceTable {
    private static final String RESOURCE = "prices.toml";
    private static final Pattern DATE_SUFFIX = Pattern.compile("-(\\d{8}|\\d{4}-\\d{2}-\\d{2})$");

    private final Map<String, ModelPrice> prices;
    private final String date;

    private PriceTable(Map<String, ModelPrice> prices, String date) {
        this.prices = Map.copyOf(prices);
        this.date = date;
    }

    /** The shipped table alone. */
    public static PriceTable shipped() {
        return Shipped.TABLE;
    }

    /** The shipped table with {@code overrides} (the config's {@code [prices]}) replacing or adding rows. */
    public static PriceTable of(Map<String, PriceConfig> overrides) {
        if (overrides.isEmpty()) {
            return shipped();
        }
        Map<String, ModelPrice> merged = new HashMap<>(Shipped.TABLE.prices);
        overrides.forEach((model, price) -> merged.put(model, new ModelPrice(price)));
        return new PriceTable(merged, Shipped.TABLE.date);
    }

    /** The shipped table's date (when its prices were checked). */
    public String date() {
        return date;
    }

    /**
     * The price of {@code model} as served by {@code provider}, or null when the table has none. Tried in order:
     * {@code provider/model} (a provider's own rate), the name, the name after its last '/' (OpenRouter's
     * {@code openai/gpt-4o}), each without a date suffix, then each with '.' read as '-' (OpenRouter's
     * {@code claude-sonnet-4.5}).
     */
    public ModelPrice find(String provider, String model) {
        ModelPrice own = prices.get(provider + "/" + model);
        if (own != null) {
            return own;
        }
        List<String> names = new ArrayList<>(List.of(model));
        int slash = model.lastIndexOf('/');
        if (slash >= 0 && slash < model.length() - 1) {
            names.add(model.substring(slash + 1));
        }
        for (int i = 0, n = names.size(); i < n; i++) {
            String undated = DATE_SUFFIX.matcher(names.get(i)).replaceFirst("");
            if (!undated.equals(names.get(i))) {
                names.add(undated);
            }
        }
        for (int i = 0, n = names.size(); i < n; i++) {
            names.add(names.get(i).replace('.', '-'));
        }
        for (String name : names) {
            ModelPrice price = prices.get(name);
            if (price != null) {
                return price;
            }
        }
        return null;
    }

    /**
     * A warning for each model the config routes by name (an alias's deployments, a rule without wildcards) that
     * has no price here: its requests cost 0 and a budget reserves nothing for them. The built-in mock is free.
     */
    public List<String> unpricedRoutes(GatewayConfig config) {
        List<String> warnings = new ArrayList<>();
        config.models().forEach((alias, model) -> model.deployments().forEach(deployment ->
                warnUnpriced(config, "models.\"" + alias + "\"", deployment.provider(),
                        deployment.apiModel(), warnings)));
        for (int i = 0; i < config.routing().rules().size(); i++) {
            RouteRule rule = config.routing().rules().get(i);
            if (rule.match().indexOf('*') < 0 && rule.match().indexOf('?') < 0) {
                warnUnpriced(config, "routing.rules[" + i + "]", rule.provider(), rule.match(), warnings);
            }
        }
        return warnings;
    }

    private void warnUnpriced(GatewayConfig config, String where, String provider, String model,
                              List<String> warnings) {
        ProviderConfig target = config.providers().get(provider);
        if (target != null && target.type() != ProviderType.MOCK && find(provider, model) == null) {
            warnings.add(where + ": model \"" + model + "\" on provider " + provider + " has no price"
                    + " (its requests count as costing 0 and budgets reserve nothing for them; add [prices.\""
                    + model + "\"])");
        }
    }

    /** Loaded on first use; a broken shipped table is a build defect, caught by its test. */
    private static final class Shipped {
        static final PriceTable TABLE = load();

        private static PriceTable load() {
            try (InputStream in = PriceTable.class.getResourceAsStream(RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException(RESOURCE + " is missing from the build");
                }
                String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                Map<String, ModelPrice> prices = new HashMap<>();
                ConfigLoader.readPrices(text, RESOURCE)
                        .forEach((model, price) -> prices.put(model, new ModelPrice(price)));
                return new PriceTable(prices, Toml.parse(text).getString("date"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (ConfigException e) {
                throw new IllegalStateException(RESOURCE + ": " + String.join("; ", e.problems()), e);
            }
        }
    }
}
