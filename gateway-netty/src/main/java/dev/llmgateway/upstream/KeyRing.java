package dev.llmgateway.upstream;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A provider's upstream keys, handed out round-robin, skipping keys that are resting: a key answered 429 rests for
 * the time the provider asked (or a default), a key out of quota or rejected (401/403) for a configured time.
 * Shared by every event loop, so it is lock-free: a counter for the rotation and, per key, one cool-until time
 * (System.nanoTime) and one rejected-until time. A race between two loops cooling one key at once keeps one of the
 * two times, which is as good as either. With shared state, a 429's rest is told to the other replicas
 * ({@link #shareRest}) and theirs rest the key here too ({@link #restedElsewhere}).
 */
public final class KeyRing {
    /** {@link #next} when the provider has no keys (a local vLLM or Ollama): send none. */
    public static final int NO_KEYS = -1;
    /** {@link #next} when every key is resting. */
    public static final int ALL_COOLING = -2;

    private final List<String> keys;
    private final AtomicInteger rotation = new AtomicInteger();
    private final AtomicLongArray coolUntilNanos;
    /** Until when each key rests because the provider rejected it: tells a lockout by credentials from a rate limit. */
    private final AtomicLongArray rejectedUntilNanos;
    /** Set once when the gateway shares state; then {@link #keyIds} names the keys to the other replicas. */
    private volatile RestSharing sharing;
    private volatile String[] keyIds;

    /** Tells the other replicas that a key rests, by an id they can match and nobody can turn back into the key. */
    public interface RestSharing {
        void rested(String keyId, long nanos);
    }

    public KeyRing(List<String> keys) {
        this.keys = List.copyOf(keys);
        this.coolUntilNanos = new AtomicLongArray(keys.size());
        this.rejectedUntilNanos = new AtomicLongArray(keys.size());
    }

    /** The index of the next usable key, {@link #NO_KEYS} or {@link #ALL_COOLING}. */
    public int next(long nowNanos) {
        int size = keys.size();
        if (size == 0) {
            return NO_KEYS;
        }
        int start = rotation.getAndIncrement();
        for (int i = 0; i < size; i++) {
            int index = Math.floorMod(start + i, size);
            if (coolUntilNanos.get(index) - nowNanos <= 0) {
                return index;
            }
        }
        return ALL_COOLING;
    }

    public String key(int index) {
        return keys.get(index);
    }

    public int size() {
        return keys.size();
    }

    /** Rests a key until {@code untilNanos}; a longer rest already set is kept. */
    public void coolDown(int index, long untilNanos) {
        coolUntilNanos.accumulateAndGet(index, untilNanos,
                (current, wanted) -> wanted - current > 0 ? wanted : current);
    }

    /**
     * Rests a key the provider rejected until {@code untilNanos}; true when this starts its rest (it was not resting
     * as rejected already), so that the many requests in flight on one bad key report it once.
     */
    public boolean reject(int index, long nowNanos, long untilNanos) {
        coolDown(index, untilNanos);
        return rejectedUntilNanos.getAndSet(index, untilNanos) - nowNanos <= 0;
    }

    /** Whether every key rests because the provider rejected it (none because of a rate limit alone). */
    public boolean allRejected(long nowNanos) {
        for (int i = 0; i < rejectedUntilNanos.length(); i++) {
            if (rejectedUntilNanos.get(i) - nowNanos <= 0) {
                return false;
            }
        }
        return rejectedUntilNanos.length() > 0;
    }

    /** Shares this ring's 429 rests through {@code sharing} from now on. */
    public void share(RestSharing sharing) {
        String[] ids = new String[keys.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = keyId(keys.get(i));
        }
        this.keyIds = ids;
        this.sharing = sharing;
    }

    /** Tells the other replicas, when state is shared, the rest key {@code index} was just given (after a 429). */
    public void shareRest(int index, long nowNanos) {
        RestSharing to = sharing;
        long left = coolUntilNanos.get(index) - nowNanos;
        if (to != null && left > 0) {
            to.rested(keyIds[index], left);
        }
    }

    /** Another replica rested key {@code keyId}: it rests here until {@code untilNanos} too (unknown ids: none). */
    public void restedElsewhere(String keyId, long untilNanos) {
        String[] ids = keyIds;
        for (int i = 0; ids != null && i < ids.length; i++) {
            if (ids[i].equals(keyId)) {
                coolDown(i, untilNanos);
            }
        }
    }

    /** The first 8 bytes of the key's SHA-256, in hex: the same on every replica, useless to anyone else. */
    static String keyId(String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** How long until the first key is usable again; 0 when one already is. */
    public long nanosUntilUsable(long nowNanos) {
        long soonest = Long.MAX_VALUE;
        for (int i = 0; i < coolUntilNanos.length(); i++) {
            soonest = Math.min(soonest, Math.max(0, coolUntilNanos.get(i) - nowNanos));
        }
        return coolUntilNanos.length() == 0 ? 0 : soonest;
    }
}
