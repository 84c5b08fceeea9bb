package dev.sabir.server.threads;

import com.fasterxml.jackson.databind.type.TypeFactory;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.security.AccessController;
import java.security.PrivilegedAction;
import java.util.concurrent.ThreadFactory;

/**
 * Threads for the host's pools, made so that no plugin's classes stick to them: plugins are
 * unloaded at run time and anything a long-lived host thread keeps of them pins their class loader
 * (see {@code dev.sabir.server.plugin.UnloadHygiene}).
 */
public final class HostThreads {
    private HostThreads() {}

    /** Host threads that leave no trace of whoever caused them to start. */
    @SuppressWarnings("removal")
    public static ThreadFactory threads(String prefix) {
        DefaultThreadFactory netty = new DefaultThreadFactory(prefix, true);
        ClassLoader host = HostThreads.class.getClassLoader();
        return r -> {
            // inside doPrivileged the new thread inherits only this class's protection domain
            Thread t =
                    AccessController.doPrivileged(
                            (PrivilegedAction<Thread>) () -> netty.newThread(r));
            t.setContextClassLoader(host);
            return t;
        };
    }

    /** Initialises shared classes whose static state would otherwise record a plugin's stack. */
    public static void prime() {
        ImmediateEventExecutor.INSTANCE.terminationFuture();
        GlobalEventExecutor.INSTANCE.terminationFuture();
        TypeFactory.defaultInstance();
        // the JDK starts the one thread behind orTimeout and delayedExecutor on first use
        java.util.concurrent.CompletableFuture.delayedExecutor(
                        1, java.util.concurrent.TimeUnit.MILLISECONDS)
                .execute(() -> {});
    }
}
