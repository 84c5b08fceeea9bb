package dev.sabir.api;

import io.netty.channel.EventLoopGroup;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The host's services for one session. Everything a session takes from here it gives back in {@link
 * Session#close()} (cancel scheduled tasks, close channels).
 */
public interface HostContext {

    /** The host's shared Netty event loops (NIO). Sessions never create their own. */
    EventLoopGroup eventLoops();

    /**
     * A scheduler for timers. Tasks still scheduled when the session closes are cancelled by the
     * host, but sessions should cancel their own.
     */
    ScheduledExecutorService scheduler();

    /** A persistent key-value store private to this account. */
    KeyValueStore store();

    /** The host's file spool. */
    FileSpool spool();

    /** A data folder private to this account (created on first use). */
    Path dataDir();

    /** Counters and gauges, exported by the host under {@code sabir_plugin_*}. */
    Metrics metrics();

    /** The host's clock (tests may replace it). */
    default Clock clock() {
        return Clock.systemUTC();
    }

    /** The gateway: personal accounts of XMPP users and routing of their conversations. */
    Gateway gateway();

    /**
     * Direct file transports that plugins offer one another (the host's one registry, shared by
     * every session). Hosts without one give an empty registry that keeps nothing.
     */
    default FileTransports fileTransports() {
        return NoFileTransports.INSTANCE;
    }

    /** The operator's commands (accounts, links, restarts), for plugins with an admin surface. */
    default AdminService admin() {
        throw new UnsupportedOperationException("this host offers no admin service");
    }
}
