package dev.llmgateway.dialect;

/** A request the provider's API cannot express, or that is malformed; the client gets {@link #error()} (a 400). */
public final class Untranslatable extends Exception {
    private final transient ApiError error;

    /** @param code OpenAI's code for it: {@code invalid_value}, {@code unsupported_parameter}, ... */
    public Untranslatable(String code, String param, String message) {
        super(message, null, false, false);
        this.error = ApiError.badRequest(code, param, message);
    }

    /** Any other refusal of a request for one provider (an endpoint it lacks, a translation that failed). */
    public Untranslatable(ApiError error) {
        super(error.message(), null, false, false);
        this.error = error;
    }

    public ApiError error() {
        return error;
    }
}
