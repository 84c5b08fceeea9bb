package dev.sabir.xmpp;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import org.jivesoftware.smack.AbstractXMPPConnection;
import org.pf4j.Plugin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The XMPP plugin's life cycle: on stop it ends the threads Smack keeps in static fields.
 *
 * <p>Smack is bundled in this plugin, so its shared reactor threads and its cached executor belong
 * to the plugin's class loader; left running, they keep every class of the plugin alive after the
 * host has unloaded it (client mode is the only user). Once the plugin is stopped its copy of Smack
 * is never used again, so ending them is safe. Smack offers no call for this, hence reflection;
 * anything that does not match the expected shape is left alone and logged.
 */
public final class XmppPlugin extends Plugin {
    private static final Logger LOG = LoggerFactory.getLogger(XmppPlugin.class);

    @Override
    public void stop() {
        try {
            stopSmackThreads();
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.info("xmpp plugin: Smack's shared threads left running ({})", e.toString());
        }
    }

    /** Shuts Smack's cached executor down and asks its reactor threads to end. */
    static void stopSmackThreads() throws ReflectiveOperationException {
        Field cached = AbstractXMPPConnection.class.getDeclaredField("CACHED_EXECUTOR_SERVICE");
        cached.setAccessible(true);
        ((ExecutorService) cached.get(null)).shutdown();

        Class<?> reactorClass = Class.forName("org.jivesoftware.smack.SmackReactor");
        Field instance = reactorClass.getDeclaredField("INSTANCE");
        instance.setAccessible(true);
        Object reactor = instance.get(null);
        if (reactor == null) {
            return; // never started
        }
        Field threadsField = reactorClass.getDeclaredField("reactorThreads");
        threadsField.setAccessible(true);
        Field selectorField = reactorClass.getDeclaredField("selector");
        selectorField.setAccessible(true);
        Selector selector = (Selector) selectorField.get(reactor);
        List<Thread> threads;
        List<?> live = (List<?>) threadsField.get(reactor);
        synchronized (live) {
            threads = new ArrayList<>();
            for (Object t : live) {
                threads.add((Thread) t);
            }
        }
        for (Thread t : threads) {
            Method request = t.getClass().getDeclaredMethod("requestShutdown");
            request.setAccessible(true);
            request.invoke(t);
        }
        long deadline = System.nanoTime() + 3_000_000_000L;
        for (Thread t : threads) {
            while (t.isAlive() && System.nanoTime() < deadline) {
                selector.wakeup(); // each wake-up lets one thread in select() see the request
                try {
                    t.join(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        long left = threads.stream().filter(Thread::isAlive).count();
        if (left > 0) {
            LOG.info("xmpp plugin: {} Smack reactor threads did not end", left);
        }
    }
}
