package dev.llmgateway.bench.load;

/** A growable FIFO of longs: the open-loop backlog of intended send times, without boxing each one. */
final class LongQueue {
    private long[] items = new long[1024];
    private int head;
    private int size;

    void add(long value) {
        if (size == items.length) {
            long[] grown = new long[items.length * 2];
            int firstPart = items.length - head;
            System.arraycopy(items, head, grown, 0, firstPart);
            System.arraycopy(items, 0, grown, firstPart, head);
            items = grown;
            head = 0;
        }
        items[(head + size++) % items.length] = value;
    }

    long poll() {
        long value = items[head];
        head = (head + 1) % items.length;
        size--;
        return value;
    }

    boolean isEmpty() {
        return size == 0;
    }

    int size() {
        return size;
    }

    void clear() {
        head = 0;
        size = 0;
    }
}
