package dev.llmgateway.shared;

/**
 * One concurrency slot held in Redis by a request in flight: an id unique across replicas, scored in the key's
 * sorted set by when its lease ends. The event loop that took it keeps it on its list (an intrusive one: no node
 * allocated) to extend the lease while the request runs, and gives it back when the request ends. Loop-confined.
 */
public final class Slot {
    final KeyCounters counters;
    final String id;
    Slot previous;
    Slot next;

    Slot(KeyCounters counters, String id) {
        this.counters = counters;
        this.id = id;
    }

    @Override
    public String toString() {
        return "Slot[" + counters.keyName() + " " + id + "]";
    }
}
