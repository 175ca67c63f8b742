package dev.llmgateway.testutil;

import java.util.ArrayList;
import java.util.List;

/** A client's view of an SSE body: the events in order, each with its name (or null) and its data. */
public final class SseEvents {
    public record Event(String name, String data) {
    }

    private SseEvents() {
    }

    /** Parses a whole SSE text (LF, CRLF or CR line ends); events without data are left out. */
    public static List<Event> parse(String text) {
        List<Event> events = new ArrayList<>();
        String name = null;
        StringBuilder data = null;
        for (String line : text.split("\r\n|\r|\n", -1)) {
            if (line.isEmpty()) {
                if (data != null) {
                    events.add(new Event(name, data.toString()));
                }
                name = null;
                data = null;
            } else if (line.startsWith("event:")) {
                name = line.substring(6).strip();
            } else if (line.startsWith("data:")) {
                String value = line.substring(line.startsWith("data: ") ? 6 : 5);
                data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
            }
        }
        if (data != null) {
            events.add(new Event(name, data.toString()));
        }
        return events;
    }

    /** The data of every event, in order. */
    public static List<String> data(String text) {
        return parse(text).stream().map(Event::data).toList();
    }
}
