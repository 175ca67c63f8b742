package dev.llmgateway.config;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * Reloads the config file on its own thread, never an event loop: on SIGHUP, on {@link #reload} and, every
 * {@code server.config_reload}, when the file's content changed. The file is read through its path each time, so a
 * Kubernetes ConfigMap's symlink swap is seen like an edit; a change counts once two reads
 * {@value #SETTLE_MILLIS} ms apart agree, so a file caught mid-write is not loaded. A file that is unreadable or
 * invalid leaves the running config serving and logs every problem as {@code --check-config} prints them; a valid
 * one is handed to the {@link Target} with the restart-bound settings kept, and its changes logged in one line.
 * Each outcome is counted. Reloads run one at a time.
 */
public final class ConfigReloader implements AutoCloseable {
    /** How long a changed file must stay the same before it is loaded. */
    static final long SETTLE_MILLIS = 200;

    /** What a reload acts on: the running gateway. */
    public interface Target {
        GatewayConfig running();

        /** Makes {@code next} the running config; called on the reload thread. */
        void apply(GatewayConfig next);
    }

    private static final Logger LOG = Logger.getLogger(ConfigReloader.class.getName());

    private final Path file;
    private final Map<String, String> env;
    private final Target target;
    private final Consumer<Boolean> counted;
    private final ScheduledExecutorService thread;
    /** Confined to the reload thread: the last read loaded (digest or problem) and a change awaiting its second read. */
    private String lastSeen;
    private String pending;
    private ScheduledFuture<?> nextCheck;
    private boolean watching;

    /** One read of the file: its text and content digest, or the problem that it cannot be read. */
    private record Read(String fingerprint, String text, ConfigException problem) {
        static Read of(Path file) {
            try {
                String text = ConfigLoader.read(file);
                return new Read(sha256(text), text, null);
            } catch (ConfigException unreadable) {
                return new Read(unreadable.getMessage(), null, unreadable);
            }
        }
    }

    /**
     * @param loaded  the text the running config was loaded from: changes are seen against it
     * @param counted told of each reload's outcome, true when it was applied
     */
    public ConfigReloader(Path file, Map<String, String> env, String loaded, Target target,
                          Consumer<Boolean> counted) {
        this.file = file;
        this.env = Objects.requireNonNull(env, "env");
        this.target = target;
        this.counted = counted;
        this.lastSeen = sha256(loaded);
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread t = new Thread(runnable, "config-reload");
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        this.thread = executor;
    }

    /** Starts checking the file at the running config's {@code server.config_reload} (when not zero). */
    public void watch() {
        thread.execute(() -> {
            watching = true;
            scheduleCheck();
        });
    }

    /** Reloads on each SIGHUP; null when installed, else why the signal is not available here. */
    public String reloadOnHangup() {
        return HangupSignal.install(() -> {
            try {
                reload("SIGHUP");
            } catch (RejectedExecutionException stopping) {
                // a hangup while the gateway stops: nothing to reload
            }
        });
    }

    /** Reloads now, whether or not the file changed; the future says whether the new config was applied. */
    public Future<Boolean> reload(String reason) {
        return thread.submit(() -> {
            try {
                return load(reason, Read.of(file));
            } finally {
                scheduleCheck();
            }
        });
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }

    /** On the reload thread: one look at the file, then the next one. */
    private void check() {
        try {
            Read now = Read.of(file);
            if (now.fingerprint.equals(lastSeen)) {
                pending = null;
            } else if (!now.fingerprint.equals(pending)) {
                pending = now.fingerprint;
                nextCheck = thread.schedule(this::check, SETTLE_MILLIS, TimeUnit.MILLISECONDS);
                return;
            } else {
                pending = null;
                load("file change", now);
            }
        } catch (RuntimeException e) {
            LOG.severe("config reload (file change) failed: " + e);
        }
        scheduleCheck();
    }

    /** Schedules the next check at the running interval: a reload may have changed it, or turned checks off. */
    private void scheduleCheck() {
        if (nextCheck != null) {
            nextCheck.cancel(false);
            nextCheck = null;
        }
        Duration every = target.running().server().configReload();
        if (watching && !every.isZero()) {
            nextCheck = thread.schedule(this::check, every.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private boolean load(String reason, Read read) {
        lastSeen = read.fingerprint;
        return read.problem != null ? failed(reason, read.problem) : apply(reason, read.text);
    }

    private boolean apply(String reason, String text) {
        GatewayConfig next;
        try {
            next = ConfigLoader.parse(text, file.toString(), env);
        } catch (ConfigException invalid) {
            return failed(reason, invalid);
        }
        ConfigChanges changes = ConfigChanges.between(target.running(), next);
        try {
            target.apply(changes.applicable());
        } catch (RuntimeException e) {
            LOG.severe("config reload (" + reason + ") failed while applying it; the running config keeps serving: "
                    + e);
            counted.accept(false);
            return false;
        }
        next.warnings().forEach(warning -> LOG.warning("config reload: " + warning));
        changes.needRestart().forEach(key -> LOG.warning("config reload: " + key
                + " changed; it takes effect after a restart (the running value is kept)"));
        LOG.info("config reloaded from " + file + " (" + reason + "): " + changes.summary());
        counted.accept(true);
        return true;
    }

    private boolean failed(String reason, ConfigException problems) {
        LOG.warning("config reload (" + reason + ") failed; the running config keeps serving. " + file
                + " is not a valid gateway config:");
        problems.problems().forEach(problem -> LOG.warning("  " + problem));
        counted.accept(false);
        return false;
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is a required JDK algorithm", e);
        }
    }
}
