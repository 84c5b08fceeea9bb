package dev.sabir.xmpp;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smack.tcp.XMPPTCPConnectionConfiguration;

/**
 * Starts Smack's process-wide worker threads (its cached executor, shared by every connection and
 * kept for a minute when idle) before a thread-leak check takes its snapshot, so the check measures
 * what sessions leave behind rather than Smack's global pool.
 */
final class SmackWarmUp extends XMPPTCPConnection {
    private SmackWarmUp(XMPPTCPConnectionConfiguration c) {
        super(c);
    }

    /**
     * Runs {@code n} overlapping tasks on Smack's shared executor so {@code n} idle workers exist.
     */
    static void startWorkers(int n) throws InterruptedException {
        CountDownLatch running = new CountDownLatch(n);
        CountDownLatch release = new CountDownLatch(1);
        for (int i = 0; i < n; i++) {
            asyncGo(
                    () -> {
                        running.countDown();
                        try {
                            release.await(5, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    });
        }
        running.await(5, TimeUnit.SECONDS);
        release.countDown();
    }
}
