package dev.llmgateway.config;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * Replaces {@code ${NAME}} and {@code ${NAME:-default}} in a string; {@code $$} is a literal '$'. As in the shell,
 * the default also applies when the variable is set but empty. Any other '$' is kept as it is.
 */
final class EnvSubstitution {
    static final String EXPECTED_SYNTAX = "${NAME}, ${NAME:-default}, or $$ for a literal $";

    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    /** Exactly one of: {@code value} set, {@code unsetVariable} set (the first one met), or {@code malformed}. */
    record Result(String value, String unsetVariable, boolean malformed) {
    }

    private EnvSubstitution() {
    }

    static Result apply(String text, Map<String, String> env) {
        if (text.indexOf('$') < 0) {
            return new Result(text, null, false);
        }
        StringBuilder out = new StringBuilder(text.length());
        String unset = null;
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            char next = i + 1 < text.length() ? text.charAt(i + 1) : 0;
            if (c != '$' || (next != '$' && next != '{')) {
                out.append(c);
                i++;
            } else if (next == '$') {
                out.append('$');
                i += 2;
            } else {
                int close = text.indexOf('}', i + 2);
                if (close < 0) {
                    return new Result(null, null, true);
                }
                String body = text.substring(i + 2, close);
                int separator = body.indexOf(":-");
                String name = separator < 0 ? body : body.substring(0, separator);
                if (!NAME.matcher(name).matches()) {
                    return new Result(null, null, true);
                }
                String value = env.get(name);
                if (separator >= 0 && (value == null || value.isEmpty())) {
                    value = body.substring(separator + 2);
                }
                if (value != null) {
                    out.append(value);
                } else if (unset == null) {
                    unset = name;
                }
                i = close + 1;
            }
        }
        return unset == null ? new Result(out.toString(), null, false) : new Result(null, unset, false);
    }
}
