package dev.llmgateway.cost;

import dev.llmgateway.config.ApiKeyConfig;
import dev.llmgateway.config.GatewayConfig;
import dev.llmgateway.config.TeamConfig;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which USD budgets hold each gateway key (its own, its team's) in one config, and the ledger they are kept in.
 * Built per config snapshot; the ledger outlives snapshots, so a reload keeps what was spent.
 */
public final class Budgets {
    private final Map<String, List<BudgetLedger.Budget>> byKey;
    private final BudgetLedger ledger;

    private Budgets(Map<String, List<BudgetLedger.Budget>> byKey, BudgetLedger ledger) {
        this.byKey = Map.copyOf(byKey);
        this.ledger = ledger;
    }

    public static Budgets of(GatewayConfig config, BudgetLedger ledger) {
        Map<String, TeamConfig> teams = new HashMap<>();
        config.teams().forEach(team -> teams.put(team.name(), team));
        Map<String, List<BudgetLedger.Budget>> byKey = new HashMap<>();
        for (ApiKeyConfig key : config.apiKeys()) {
            List<BudgetLedger.Budget> budgets = new ArrayList<>(2);
            if (key.budget() != null) {
                budgets.add(new BudgetLedger.Budget("key", key.name(), key.budget()));
            }
            TeamConfig team = key.team() == null ? null : teams.get(key.team());
            if (team != null) {
                budgets.add(new BudgetLedger.Budget("team", team.name(), team.budget()));
            }
            if (!budgets.isEmpty()) {
                byKey.put(key.name(), List.copyOf(budgets));
            }
        }
        return new Budgets(byKey, ledger);
    }

    /** The budgets holding key {@code keyName}, or null when none does. */
    public List<BudgetLedger.Budget> of(String keyName) {
        return byKey.get(keyName);
    }

    public BudgetLedger ledger() {
        return ledger;
    }
}
