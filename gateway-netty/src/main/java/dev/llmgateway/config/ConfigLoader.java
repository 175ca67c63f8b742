package dev.llmgateway.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.tomlj.Toml;
import org.tomlj.TomlParseError;
import org.tomlj.TomlParseResult;

/**
 * Turns a TOML file into a {@link GatewayConfig}: parse, substitute ${VAR} (in the typed reads), apply
 * {@code LLM_GATEWAY__*} overrides, validate. Throws one {@link ConfigException} with every problem found.
 */
public final class ConfigLoader {
    private ConfigLoader() {
    }

    /** Loads {@code file}; {@code env} supplies ${VAR} values and overrides (main passes System.getenv()). */
    public static GatewayConfig load(Path file, Map<String, String> env) throws ConfigException {
        return parse(read(file), file.toString(), env);
    }

    /** The text of {@code file} (through any symbolic links), or the problem that it cannot be read. */
    public static String read(Path file) throws ConfigException {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException(List.of(file + ": file not found (expected: a readable TOML config file)"));
        } catch (IOException e) {
            throw new ConfigException(List.of(file + ": cannot be read: " + e.getClass().getSimpleName()
                    + " (expected: a readable TOML config file)"));
        }
    }

    /** Parses TOML text; {@code sourceName} prefixes syntax errors, as a file name would. */
    public static GatewayConfig parse(String toml, String sourceName, Map<String, String> env) throws ConfigException {
        Objects.requireNonNull(env, "env");
        TomlParseResult document = Toml.parse(toml);
        if (document.hasErrors()) {
            // Nothing can be validated reliably in a document that did not parse.
            throw new ConfigException(document.errors().stream()
                    .map(e -> syntaxProblem(sourceName, e))
                    .toList());
        }
        Problems problems = new Problems();
        Map<String, Object> tree = TomlTree.toMap(document);
        Overrides.apply(tree, env, problems);

        ConfigTable root = new ConfigTable("", tree, env, problems);
        ServerConfig server = ServerSection.read(root.tableOrEmpty("server"));
        ApiKeysSection.Result apiKeys = ApiKeysSection.read(root);
        ProvidersSection.Result providers = ProvidersSection.read(root);
        apiKeys.checkProviders(providers, problems);
        Map<String, ModelConfig> models = ModelsSection.read(root, providers);
        RoutingConfig routing = RoutingSection.read(root.tableOrEmpty("routing"), providers);
        ObservabilityConfig observability = ObservabilitySection.read(root);
        SharedConfig shared = SharedSection.read(root);
        Map<String, PriceConfig> prices = PricesSection.read(root);
        List<TeamConfig> teams = BudgetsSection.teams(root);
        BudgetsSection.checkTeams(apiKeys.keys(), teams, problems);
        root.reportUnknownKeys();
        problems.throwIfAny();
        return new GatewayConfig(server, routing, apiKeys.keys(), providers.enabled(), models, observability,
                prices, teams, problems.warnings(), shared);
    }

    /**
     * Reads a price table: a TOML document whose {@code [prices."MODEL"]} entries follow the config's rules (the
     * table the gateway ships). Other top-level keys (its date, its sources) are the caller's to read.
     */
    public static Map<String, PriceConfig> readPrices(String toml, String sourceName) throws ConfigException {
        TomlParseResult document = Toml.parse(toml);
        if (document.hasErrors()) {
            throw new ConfigException(document.errors().stream().map(e -> syntaxProblem(sourceName, e)).toList());
        }
        Problems problems = new Problems();
        Map<String, PriceConfig> prices = PricesSection.read(
                new ConfigTable("", TomlTree.toMap(document), Map.of(), problems));
        problems.throwIfAny();
        return prices;
    }

    private static String syntaxProblem(String sourceName, TomlParseError error) {
        return sourceName + ":" + error.position().line() + ":" + error.position().column() + ": "
                + error.getMessage();
    }
}
