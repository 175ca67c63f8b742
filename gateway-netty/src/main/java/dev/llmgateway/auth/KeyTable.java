package dev.llmgateway.auth;

import dev.llmgateway.exchange.Principal;
import dev.llmgateway.config.ApiKeyConfig;
import dev.llmgateway.exchange.ModelGlob;
import dev.llmgateway.shared.SharedState;
import io.netty.util.concurrent.FastThreadLocal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The gateway keys, looked up without leaking the secret through timing: the table is indexed by the SHA-256 of
 * each key (a lookup's timing depends only on the digest), and the stored key is then compared in constant time.
 * Built once per config snapshot; what each key has used ({@link KeyUsage}) is handed from one snapshot's table to
 * the next by key name, so a reload never resets a key's limits. With shared state, a key with limits is held to
 * them by the Redis counters every replica shares ({@link SharedKeyLimiter}), its own usage kept for when Redis
 * cannot answer.
 */
public final class KeyTable {
    private static final FastThreadLocal<MessageDigest> SHA256 = new FastThreadLocal<>() {
        @Override
        protected MessageDigest initialValue() throws NoSuchAlgorithmException {
            return MessageDigest.getInstance("SHA-256");
        }
    };

    /**
     * The last key a loop found, and in which table: a request's key is checked when its head arrives and looked up
     * again once its body is in (server's key check, then api-key-auth), so the second lookup is a constant-time
     * compare, not another SHA-256. Holds only a configured key, never a guess.
     */
    private static final FastThreadLocal<LastFound> LAST_FOUND = new FastThreadLocal<>();

    private record LastFound(KeyTable table, byte[] secret, Principal principal) {
    }

    private final Map<Digest, Entry> byDigest;
    private final Map<String, KeyUsage> usageByName;
    private final SharedState shared;

    public KeyTable(List<ApiKeyConfig> keys) {
        this(keys, null, null);
    }

    /**
     * A table whose keys go on counting what the same-named keys of {@code previous} (null: none) used, in the
     * previous table's shared state.
     */
    public KeyTable(List<ApiKeyConfig> keys, KeyTable previous) {
        this(keys, previous, previous == null ? null : previous.shared);
    }

    /** As above; keys with limits are counted in {@code shared} (null: per replica only). */
    public KeyTable(List<ApiKeyConfig> keys, KeyTable previous, SharedState shared) {
        this.shared = shared;
        Map<Digest, Entry> table = new HashMap<>();
        Map<String, KeyUsage> usages = new HashMap<>();
        for (ApiKeyConfig key : keys) {
            byte[] secret = key.key().getBytes(StandardCharsets.UTF_8);
            List<ModelGlob> globs = key.models().stream().map(ModelGlob::of).toList();
            KeyUsage usage = previous == null ? null : previous.usageByName.get(key.name());
            if (usage == null) {
                usage = new KeyUsage(System::nanoTime, System::currentTimeMillis);
            }
            usages.put(key.name(), usage);
            KeyLimiter local = new KeyLimiter(key.name(), key.limits(), usage);
            Principal.Limiter limiter = shared == null || !key.limits().any() ? local
                    : new SharedKeyLimiter(key.name(), key.limits(), local, shared.counters(key.name(), key.limits()),
                    shared.config().onUnavailable());
            table.put(new Digest(sha256(secret)), new Entry(secret, new Principal(key.name(), globs, limiter,
                    key.providerKeys())));
        }
        this.byDigest = Map.copyOf(table);
        this.usageByName = Map.copyOf(usages);
    }

    /** The principal for a presented key, or null when no enabled key matches. */
    public Principal find(String presented) {
        byte[] secret = presented.getBytes(StandardCharsets.UTF_8);
        LastFound last = LAST_FOUND.get();
        if (last != null && last.table == this && MessageDigest.isEqual(last.secret, secret)) {
            return last.principal;
        }
        Entry entry = byDigest.get(new Digest(sha256(secret)));
        if (entry == null || !MessageDigest.isEqual(entry.secret, secret)) {
            return null;
        }
        LAST_FOUND.set(new LastFound(this, entry.secret, entry.principal));
        return entry.principal;
    }

    private static byte[] sha256(byte[] bytes) {
        MessageDigest digest = SHA256.get();
        digest.reset();
        return digest.digest(bytes);
    }

    private record Entry(byte[] secret, Principal principal) {
    }

    private record Digest(byte[] bytes) {
        @Override
        public boolean equals(Object other) {
            return other instanceof Digest that && Arrays.equals(bytes, that.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }
    }
}
