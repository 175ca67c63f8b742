package dev.llmgateway.config;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;

/**
 * Runs an action on each SIGHUP instead of the JVM's default (a shutdown). Uses {@code sun.misc.Signal} from the
 * {@code jdk.unsupported} module, looked up reflectively so that a JDK or platform without it (or without SIGHUP)
 * only loses the signal, and the build sees no internal API.
 *
 * <p>HotSpot treats SIGHUP as one of its shutdown signals: when the process started with SIGHUP ignored
 * ({@code nohup}, some supervisors) it leaves the signal ignored and only reports the old disposition, SIG_IGN,
 * with no error; under {@code -Xrs} / {@code -XX:+ReduceSignalUsage} it refuses the handler outright. Neither can be
 * undone from Java, so both are reported as the reason SIGHUP cannot reload.
 */
final class HangupSignal {
    private HangupSignal() {
    }

    /**
     * @param action runs on the JVM's signal thread: it must hand the work off and return
     * @return null when installed, else why not
     */
    static String install(Runnable action) {
        try {
            Class<?> signal = Class.forName("sun.misc.Signal");
            Class<?> handler = Class.forName("sun.misc.SignalHandler");
            InvocationHandler onSignal = (proxy, method, args) -> switch (method.getName()) {
                case "handle" -> {
                    action.run();
                    yield null;
                }
                case "hashCode" -> System.identityHashCode(proxy);
                case "equals" -> proxy == args[0];
                default -> "SIGHUP reload handler";
            };
            Object hangup = signal.getConstructor(String.class).newInstance("HUP");
            Object previous = signal.getMethod("handle", signal, handler).invoke(null, hangup,
                    Proxy.newProxyInstance(HangupSignal.class.getClassLoader(), new Class<?>[] {handler}, onSignal));
            return previous == handler.getField("SIG_IGN").get(null)
                    ? "the process started with SIGHUP ignored (nohup or its supervisor), which the JVM keeps" : null;
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            return cause instanceof IllegalArgumentException
                    ? "the JVM keeps SIGHUP to itself (-Xrs or -XX:+ReduceSignalUsage): " + cause.getMessage()
                    : describe(cause);
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            return describe(e);
        }
    }

    private static String describe(Throwable cause) {
        return cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
    }
}
