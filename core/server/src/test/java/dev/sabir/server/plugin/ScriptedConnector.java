package dev.sabir.server.plugin;

import dev.sabir.api.AccountConfig;
import dev.sabir.api.Address;
import dev.sabir.api.BridgeEvent;
import dev.sabir.api.Capability;
import dev.sabir.api.Connector;
import dev.sabir.api.Delivery;
import dev.sabir.api.EventSink;
import dev.sabir.api.HostContext;
import dev.sabir.api.InvalidConfigException;
import dev.sabir.api.RegistrationField;
import dev.sabir.api.Session;
import dev.sabir.api.SessionState;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-process connector whose sessions behave as the account's {@code mode} setting says: {@code
 * online} (default: schedules a ticking task, registers a gauge, reports ONLINE), {@code manual}
 * (the test drives the state), {@code throw-open}, {@code throw-connect}, {@code throw-deliver}.
 */
final class ScriptedConnector implements Connector {
    final String protocol;
    final List<RegistrationField> fields;
    final List<ScriptedSession> sessions = new CopyOnWriteArrayList<>();

    /** Connects that fail before one succeeds, for mode {@code fail-connects} (its setting). */
    final AtomicInteger connectAttempts = new AtomicInteger();

    ScriptedConnector(String protocol, RegistrationField... fields) {
        this.protocol = protocol;
        this.fields = List.of(fields);
    }

    @Override
    public String protocol() {
        return protocol;
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(Capability.ROOMS, Capability.TYPING);
    }

    @Override
    public Set<Capability> capabilities(AccountConfig account) throws InvalidConfigException {
        return account.bool("minimal", false) ? EnumSet.of(Capability.ROOMS) : capabilities();
    }

    @Override
    public List<RegistrationField> registrationFields() {
        return fields;
    }

    @Override
    public Session open(AccountConfig account, HostContext host, EventSink sink)
            throws InvalidConfigException {
        String mode = account.string("mode", "online");
        account.integer("port", 1, 1, 65535);
        if (mode.equals("throw-open")) {
            throw new IllegalStateException("open exploded");
        }
        ScriptedSession s = new ScriptedSession(this, account, host, sink, mode);
        sessions.add(s);
        return s;
    }

    /** The latest session of an account. */
    ScriptedSession session(String account) {
        for (int i = sessions.size() - 1; i >= 0; i--) {
            if (sessions.get(i).account.name().equals(account)) {
                return sessions.get(i);
            }
        }
        throw new AssertionError("no session for " + account);
    }

    static final class ScriptedSession implements Session {
        final ScriptedConnector connector;
        final AccountConfig account;
        final HostContext host;
        final EventSink sink;
        final String mode;
        final AtomicInteger ticks = new AtomicInteger();
        final List<Address> joined = new CopyOnWriteArrayList<>();
        volatile boolean closed;

        ScriptedSession(
                ScriptedConnector connector,
                AccountConfig account,
                HostContext host,
                EventSink sink,
                String mode) {
            this.connector = connector;
            this.account = account;
            this.host = host;
            this.sink = sink;
            this.mode = mode;
        }

        void emit(SessionState.State state, String reason) {
            sink.accept(new SessionState(account.address(), state, reason));
        }

        void emit(BridgeEvent event) {
            sink.accept(event);
        }

        @Override
        public CompletionStage<Void> connect() {
            switch (mode) {
                case "throw-connect" -> throw new IllegalStateException("connect exploded");
                case "fail-connects" -> {
                    int attempt = connector.connectAttempts.incrementAndGet();
                    int failures;
                    try {
                        failures = account.integer("failures", 2, 0, 100);
                    } catch (InvalidConfigException e) {
                        throw new IllegalStateException(e);
                    }
                    if (attempt <= failures) {
                        emit(SessionState.State.CONNECTING, "");
                        return CompletableFuture.failedFuture(
                                new java.net.BindException("Address already in use"));
                    }
                    emit(SessionState.State.ONLINE, "");
                    return CompletableFuture.completedFuture(null);
                }
                case "manual" -> {
                    emit(SessionState.State.CONNECTING, "");
                    return new CompletableFuture<>();
                }
                default -> {
                    host.scheduler()
                            .scheduleAtFixedRate(
                                    ticks::incrementAndGet, 5, 5, TimeUnit.MILLISECONDS);
                    host.metrics().gauge("queue", () -> 3, "kind", "out");
                    host.metrics().increment("connects", 1);
                    emit(SessionState.State.ONLINE, "");
                    return CompletableFuture.completedFuture(null);
                }
            }
        }

        @Override
        public CompletionStage<Void> join(Address conversation) {
            joined.add(conversation);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletionStage<String> deliver(Delivery delivery) {
            if (mode.equals("throw-deliver")) {
                throw new IllegalStateException("deliver exploded");
            }
            return CompletableFuture.completedFuture("remote-" + delivery.id());
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
