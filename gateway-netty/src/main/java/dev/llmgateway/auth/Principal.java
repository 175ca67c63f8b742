package dev.llmgateway.auth;

import dev.llmgateway.routing.ModelGlob;

import java.util.List;

/** The authenticated caller: a gateway key's name (what logs and metrics show, never the secret) and its policy. */
public record Principal(String name, List<ModelGlob> allowedModels) {

    public boolean mayUse(String model) {
        return ModelGlob.anyMatches(allowedModels, model);
    }
}
