package dev.sabir.server.router;

import static org.awaitility.Awaitility.await;

import dev.sabir.api.Address;
import dev.sabir.api.Capability;
import dev.sabir.api.ChatMessage;
import dev.sabir.api.FileSpool;
import dev.sabir.api.Sender;
import dev.sabir.server.config.SabirConfig;
import dev.sabir.server.store.Backend;
import dev.sabir.server.store.Database;
import dev.sabir.server.store.TestDatabases;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Shared setup for router tests: a real database (SQLite in a temp folder unless a subclass picks
 * {@link #backend()}), and helpers.
 */
abstract class RouterFixture {
    /** Databases; PostgreSQL is started only for classes that ask for it. */
    @RegisterExtension static final TestDatabases DATABASES = new TestDatabases();

    static final Address IRC = Address.parse("irc:libera/#sabir");
    static final Address XMPP = Address.parse("xmpp:comp/room@muc.example.org");
    static final Address TOR = Address.parse("torchat:main/abcdefghijklmnop");
    static final Set<Capability> ALL = EnumSet.allOf(Capability.class);
    static final Set<Capability> NONE = EnumSet.noneOf(Capability.class);

    @TempDir Path dir;
    TestDatabases.Target target;
    Database db;
    Router router;
    SimpleMeterRegistry registry = new SimpleMeterRegistry();

    /** A spool that only makes links. */
    static final FileSpool SPOOL =
            new FileSpool() {
                @Override
                public Upload receive(
                        Address source, String offerId, String name, long size, String sha256)
                        throws SpoolException {
                    throw new SpoolException("not here");
                }

                @Override
                public Optional<SpooledFile> find(String spoolId) {
                    return Optional.empty();
                }

                @Override
                public URI link(String spoolId) {
                    return URI.create("http://127.0.0.1:8470/files/" + spoolId);
                }
            };

    /** The database the test runs on; parameterized subclasses override it. */
    Backend backend() {
        return Backend.SQLITE;
    }

    Database db() {
        if (target == null) {
            target = DATABASES.create(backend(), dir);
        }
        if (db == null) {
            db = target.open();
        }
        return db;
    }

    Router open(int maxQueue, String whenFull) {
        router =
                new Router(
                        db(),
                        registry,
                        new SabirConfig.Routing(maxQueue, whenFull, 0),
                        SPOOL,
                        Duration.ofMillis(20),
                        Duration.ofMillis(200));
        return router;
    }

    Router open() {
        return open(1000, "drop-oldest");
    }

    /**
     * A restart: closes the router and the database, then opens the database again (same file or
     * PostgreSQL database) and a new router on it.
     */
    Router reopen() {
        router.close();
        db.close();
        db = null;
        registry = new SimpleMeterRegistry();
        return open();
    }

    @AfterEach
    void closeAll() {
        if (router != null) {
            router.close();
        }
        if (db != null) {
            db.close();
        }
    }

    static SabirConfig.LinkEntry link(String name, String format, Address... members) {
        return new SabirConfig.LinkEntry(name, List.of(members), format, Map.of());
    }

    static ChatMessage msg(Address conv, String nick, String id, String text) {
        return ChatMessage.of(conv, Sender.of(nick), id, text);
    }

    static ChatMessage edit(Address conv, String nick, String id, String text, String editOf) {
        return new ChatMessage(
                conv,
                Sender.of(nick),
                id,
                text,
                ChatMessage.MessageKind.NORMAL,
                null,
                editOf,
                null,
                Instant.now());
    }

    static ChatMessage reply(Address conv, String nick, String id, String text, String replyTo) {
        return new ChatMessage(
                conv,
                Sender.of(nick),
                id,
                text,
                ChatMessage.MessageKind.NORMAL,
                replyTo,
                null,
                null,
                Instant.now());
    }

    static ChatMessage retract(Address conv, String nick, String id, String retractOf) {
        return new ChatMessage(
                conv,
                Sender.of(nick),
                id,
                "",
                ChatMessage.MessageKind.NORMAL,
                null,
                null,
                retractOf,
                Instant.now());
    }

    static void awaitCount(FakeSession s, int n) {
        await().atMost(Duration.ofSeconds(10)).until(() -> s.delivered().size() >= n);
    }

    void awaitPending(long n) {
        await().atMost(Duration.ofSeconds(10)).until(() -> router.pending() == n);
    }

    double counter(String name, String... tags) {
        var c = registry.find(name).tags(tags).counter();
        return c == null ? 0 : c.count();
    }
}
