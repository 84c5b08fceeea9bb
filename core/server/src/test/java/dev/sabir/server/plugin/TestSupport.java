package dev.sabir.server.plugin;

import dev.sabir.api.Address;
import dev.sabir.api.BridgeEvent;
import dev.sabir.api.Capability;
import dev.sabir.api.KeyValueStore;
import dev.sabir.api.Session;
import dev.sabir.server.config.SabirConfig;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;

/** Small real stand-ins for the router and the database, and config helpers. */
final class TestSupport {
    private TestSupport() {}

    /** Records what the account manager asks of the router. */
    static final class RecordingRouter implements RouterPort {
        final Map<Address, List<Address>> links = new ConcurrentHashMap<>();
        final List<BridgeEvent> accepted = new CopyOnWriteArrayList<>();
        final Map<Address, Session> attached = new ConcurrentHashMap<>();
        final List<String> calls = new CopyOnWriteArrayList<>();
        final Map<Address, String> gatewayRoutes = new ConcurrentHashMap<>();
        final List<BridgeEvent> fromGateway = new CopyOnWriteArrayList<>();

        @Override
        public List<Address> conversationsOf(Address account) {
            return links.getOrDefault(account, List.of());
        }

        @Override
        public void accept(BridgeEvent event) {
            accepted.add(event);
        }

        @Override
        public void attach(Address account, Session session, Set<Capability> capabilities) {
            attached.put(account, session);
            calls.add("attach " + account);
        }

        @Override
        public void detach(Address account) {
            attached.remove(account);
            calls.add("detach " + account);
        }

        @Override
        public void setGatewayRoute(Address personal, Address gateway, String owner) {
            gatewayRoutes.put(personal, gateway + " " + owner);
        }

        @Override
        public void removeGatewayRoute(Address personal) {
            gatewayRoutes.remove(personal);
        }

        @Override
        public void sendFromGateway(String owner, BridgeEvent event) {
            fromGateway.add(event);
        }
    }

    /** Key-value stores kept in memory, shared by every manager built on the same instance. */
    static final class MemoryStores implements Function<String, KeyValueStore> {
        final Map<String, SortedMap<String, String>> scopes = new ConcurrentHashMap<>();

        @Override
        public KeyValueStore apply(String scope) {
            SortedMap<String, String> m = scopes.computeIfAbsent(scope, s -> new ConcurrentSkipListMap<>());
            return new KeyValueStore() {
                @Override
                public Optional<String> get(String key) {
                    return Optional.ofNullable(m.get(key));
                }

                @Override
                public void put(String key, String value) {
                    m.put(key, value);
                }

                @Override
                public void remove(String key) {
                    m.remove(key);
                }

                @Override
                public Map<String, String> list(String prefix) {
                    Map<String, String> out = new LinkedHashMap<>();
                    m.forEach((k, v) -> {
                        if (k.startsWith(prefix)) {
                            out.put(k, v);
                        }
                    });
                    return out;
                }
            };
        }

        String value(String scope, String key) {
            return scopes.getOrDefault(scope, Collections.emptySortedMap()).get(key);
        }
    }

    static SabirConfig.AccountEntry account(String name, String plugin, Map<String, Object> settings) {
        return new SabirConfig.AccountEntry(name, plugin, true, settings);
    }

    static SabirConfig config(List<SabirConfig.AccountEntry> accounts, Map<String, Integer> lines) {
        Map<String, SabirConfig.AccountEntry> m = new LinkedHashMap<>();
        for (SabirConfig.AccountEntry a : accounts) {
            m.put(a.name(), a);
        }
        return new SabirConfig(
                Path.of("sabir.yml"), null, null, null, null, null, m, Map.of(), lines);
    }

    static AccountManager manager(
            SabirConfig config,
            RecordingRouter router,
            MemoryStores stores,
            ScheduledExecutorService scheduler,
            MeterRegistry registry,
            Path dataDir) {
        return new AccountManager(config, router, stores, null, null, scheduler, registry, dataDir);
    }

    static String stateOf(AccountManager m, String account) {
        return m.status(account).map(AccountStatus::state).orElse("unknown");
    }

    static List<String> names(List<AccountStatus> statuses) {
        List<String> out = new ArrayList<>();
        statuses.forEach(s -> out.add(s.name()));
        return out;
    }
}
