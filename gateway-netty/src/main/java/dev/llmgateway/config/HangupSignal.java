package dev.llmgateway.config;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;

/**
 * Runs an action on each SIGHUP instead of the JVM's default (a shutdown). Uses {@code sun.misc.Signal} from the
 * {@code jdk.unsupported} module, looked up reflectively so that a JDK or platform without it (or without SIGHUP)
 * only loses the signal, and the build sees no internal API.
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
            signal.getMethod("handle", signal, handler).invoke(null, hangup,
                    Proxy.newProxyInstance(HangupSignal.class.getClassLoader(), new Class<?>[] {handler}, onSignal));
            return null;
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            return cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
        }
    }
}
