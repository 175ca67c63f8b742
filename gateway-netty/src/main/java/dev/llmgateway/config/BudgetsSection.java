package dev.llmgateway.config;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The USD budget settings of a key or a team ({@code budget_usd}, {@code budget_period}, {@code budget_mode}) and
 * the {@code [[teams]]} entries.
 */
final class BudgetsSection {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private static final String NAME_EXPECTED = "a name of 1 to 64 characters A-Z, a-z, 0-9, _, . or -";
    /** A million dollars per period: a cap in picodollars then stays far inside a long. */
    private static final BigDecimal MAX_USD = BigDecimal.valueOf(1_000_000);
    private static final int USD_DECIMALS = 6;
    private static final long PICOS_PER_MICRO = 1_000_000L;
    private static final String USD = "USD: a number from 0 (no budget) to 1000000 with at most 6 decimals";
    static final String PERIOD_EXPECTED = "\"day\" or \"month\" (UTC calendar), or a rolling window such as \"24h\""
            + " or \"168h\"";
    private static final Duration MIN_WINDOW = Duration.ofMinutes(1);

    private BudgetsSection() {
    }

    /** {@code budget_period}: a calendar day (the default) or month, or a rolling window. */
    static BudgetConfig.Period period(ConfigTable t) {
        String text = t.string("budget_period", "day", PERIOD_EXPECTED);
        if (text == null) {
            return BudgetConfig.Period.DAY;
        }
        switch (text) {
            case "day" -> {
                return BudgetConfig.Period.DAY;
            }
            case "month" -> {
                return BudgetConfig.Period.MONTH;
            }
            default -> {
                try {
                    Duration window = Durations.parse(text);
                    if (window.compareTo(MIN_WINDOW) >= 0) {
                        return new BudgetConfig.Period(BudgetConfig.Period.Kind.ROLLING, window);
                    }
                } catch (IllegalArgumentException e) {
                    // reported below
                }
                t.problem("budget_period", PERIOD_EXPECTED + ", at least 1m");
                return BudgetConfig.Period.DAY;
            }
        }
    }

    /** The table's USD budget over {@code period}, or null when {@code budget_usd} is absent or 0. */
    static BudgetConfig budget(ConfigTable t, BudgetConfig.Period period) {
        long micros = t.scaled("budget_usd", 0, USD_DECIMALS, MAX_USD, USD);
        BudgetConfig.Mode mode = t.choice("budget_mode", BudgetConfig.Mode.STRICT, BudgetConfig.Mode.values());
        return micros == 0 ? null : new BudgetConfig(micros * PICOS_PER_MICRO, period,
                mode == null ? BudgetConfig.Mode.STRICT : mode);
    }

    /** The {@code [[teams]]} entries; a team must have a budget (that is what a team is for). */
    static List<TeamConfig> teams(ConfigTable root) {
        List<TeamConfig> teams = new ArrayList<>();
        Map<String, String> owners = new HashMap<>();
        for (ConfigTable t : root.tableArray("teams")) {
            String name = t.requiredString("name", NAME_EXPECTED);
            if (name != null && !NAME.matcher(name).matches()) {
                t.problem("name", NAME_EXPECTED);
                name = null;
            }
            if (name != null && owners.putIfAbsent(name, t.label()) != null) {
                t.problem("name", "a unique name; " + owners.get(name) + " has it too");
            }
            BudgetConfig budget = budget(t, period(t));
            if (budget == null) {
                t.problem("budget_usd", "a budget above 0: a team's keys share it");
            }
            t.reportUnknownKeys();
            if (name != null && budget != null) {
                teams.add(new TeamConfig(name, budget));
            }
        }
        return teams;
    }

    /** Each key's {@code team} must name a {@code [[teams]]} entry. */
    static void checkTeams(List<ApiKeyConfig> keys, List<TeamConfig> teams, Problems problems) {
        List<String> names = teams.stream().map(TeamConfig::name).toList();
        for (ApiKeyConfig key : keys) {
            if (key.team() != null && !names.contains(key.team())) {
                problems.add("api_keys (" + key.name() + ").team", TomlText.quote(key.team()),
                        names.isEmpty() ? "the name of a [[teams]] entry (there is none)"
                                : "one of the [[teams]] names: " + String.join(", ", names));
            }
        }
    }
}
