package dev.llmgateway.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tomlj.TomlArray;
import org.tomlj.TomlTable;

/** Copies a parsed TOML document into mutable maps and lists (file order kept) so overrides can edit it. */
final class TomlTree {
    private TomlTree() {
    }

    static Map<String, Object> toMap(TomlTable table) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (Map.Entry<String, Object> entry : table.entrySet()) {
            map.put(entry.getKey(), convert(entry.getValue()));
        }
        return map;
    }

    private static Object convert(Object value) {
        if (value instanceof TomlTable table) {
            return toMap(table);
        }
        if (value instanceof TomlArray array) {
            List<Object> list = new ArrayList<>(array.size());
            for (int i = 0; i < array.size(); i++) {
                list.add(convert(array.get(i)));
            }
            return list;
        }
        return value;
    }
}
