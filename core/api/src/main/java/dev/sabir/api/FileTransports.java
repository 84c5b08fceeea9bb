package dev.sabir.api;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The host's registry of {@link DirectFileTransport}s, keyed by the kind of address they reach
 * ({@code xmpp} for JIDs). This is how one plugin offers a service to another without either
 * loading the other's classes: both only see {@code sabir-api}, and either can be unloaded alone (a
 * session removes what it registered when it closes).
 */
public interface FileTransports {

    /** The kind of XMPP addresses (full or bare JIDs). */
    String XMPP = "xmpp";

    /** Handle of one registration. */
    interface Registration extends AutoCloseable {
        /** Removes the transport; calling it again does nothing. */
        @Override
        void close();
    }

    /** Adds a transport for recipients of a kind. */
    Registration register(String kind, DirectFileTransport transport);

    /** The transports registered for a kind, oldest first. */
    List<DirectFileTransport> find(String kind);

    /** A thread-safe registry in memory, as hosts and tests use it. */
    static FileTransports inMemory() {
        Map<String, List<DirectFileTransport>> byKind = new ConcurrentHashMap<>();
        return new FileTransports() {
            @Override
            public Registration register(String kind, DirectFileTransport transport) {
                List<DirectFileTransport> list =
                        byKind.computeIfAbsent(kind, k -> new CopyOnWriteArrayList<>());
                list.add(transport);
                return () -> list.remove(transport);
            }

            @Override
            public List<DirectFileTransport> find(String kind) {
                return List.copyOf(byKind.getOrDefault(kind, List.of()));
            }
        };
    }
}
