package dev.llmgateway.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/** Writes keys, strings and enum names the way a TOML file spells them, so problems quote the user's syntax. */
final class TomlText {
    private static final Pattern BARE_KEY = Pattern.compile("[A-Za-z0-9_-]+");

    private TomlText() {
    }

    /** A key as written in a dotted path: bare if TOML allows it, else quoted. */
    static String key(String key) {
        return BARE_KEY.matcher(key).matches() ? key : quote(key);
    }

    /** A TOML basic string. */
    static String quote(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                case '\r' -> out.append("\\r");
                default -> out.append(c < 0x20 ? String.format("\\u%04X", (int) c) : String.valueOf(c));
            }
        }
        return out.append('"').toString();
    }

    /** The TOML names of enum constants: the lower-cased constant names. */
    static <E extends Enum<E>> List<String> names(E[] values) {
        List<String> names = new ArrayList<>();
        for (E value : values) {
            names.add(name(value));
        }
        return names;
    }

    /** An enum constant's TOML name. */
    static String name(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }
}
