package dev.llmgateway.sse;

import java.util.ArrayList;
import java.util.List;

/** A deliberately naive, string-based SSE reader that the framer's results are checked against. */
final class Reference {
    private Reference() {
    }

    /** The events with data in a whole stream (bytes as ISO-8859-1 characters). */
    static List<Recorder.Ev> eventsWithData(String stream) {
        List<Recorder.Ev> out = new ArrayList<>();
        String name = null;
        String first = null;
        int lines = 0;
        for (String line : (stream + "\n").split("\r\n|\r|\n", -1)) {
            if (line.isEmpty()) {
                if (lines > 0) {
                    out.add(new Recorder.Ev(name, first, lines, lines == 1 && first.equals("[DONE]")));
                }
                name = null;
                first = null;
                lines = 0;
            } else if (field(line, "data") != null) {
                if (lines++ == 0) {
                    first = field(line, "data");
                }
            } else if (field(line, "event") != null) {
                name = field(line, "event");
            }
        }
        return out;
    }

    /** The last event field's value in one event's raw text, or null. */
    static String eventName(String event) {
        String name = null;
        for (String line : event.split("\r\n|\r|\n")) {
            String value = field(line, "event");
            if (value != null) {
                name = value;
            }
        }
        return name;
    }

    private static String field(String line, String name) {
        if (line.equals(name)) {
            return "";
        }
        if (!line.startsWith(name + ":")) {
            return null;
        }
        String value = line.substring(name.length() + 1);
        return value.startsWith(" ") ? value.substring(1) : value;
    }
}
