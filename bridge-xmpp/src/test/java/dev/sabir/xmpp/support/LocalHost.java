package dev.sabir.xmpp.support;

import dev.sabir.api.Address;
import dev.sabir.api.AdminService;
import dev.sabir.api.BridgeEvent;
import dev.sabir.api.FileSpool;
import dev.sabir.api.FileTransports;
import dev.sabir.api.Gateway;
import dev.sabir.api.HostContext;
import dev.sabir.api.InvalidConfigException;
import dev.sabir.api.KeyValueStore;
import dev.sabir.api.Metrics;
import dev.sabir.api.RegistrationField;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;

/**
 * An in-test {@link HostContext} until sabir-testkit's TestHost is installed: real NIO event loops,
 * a real scheduler, an in-memory store, a directory spool and a recording gateway.
 */
public final class LocalHost implements HostContext, AutoCloseable {
    private final EventLoopGroup loops =
            new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);
    private final MemoryStore store = new MemoryStore();
    private final DirSpool spool;
    private final Path dataDir;
    private final RecordingGateway gateway = new RecordingGateway();
    private final RecordingAdmin admin = new RecordingAdmin();
    private final FileTransports transports = FileTransports.inMemory();

    /**
     * @param dir a temporary folder
     */
    public LocalHost(Path dir) throws IOException {
        this.dataDir = Files.createDirectories(dir.resolve("data"));
        this.spool = new DirSpool(Files.createDirectories(dir.resolve("spool")));
    }

    @Override
    public EventLoopGroup eventLoops() {
        return loops;
    }

    @Override
    public ScheduledExecutorService scheduler() {
        return scheduler;
    }

    @Override
    public KeyValueStore store() {
        return store;
    }

    @Override
    public DirSpool spool() {
        return spool;
    }

    @Override
    public Path dataDir() {
        return dataDir;
    }

    @Override
    public Metrics metrics() {
        return new Metrics() {
            @Override
            public void increment(String name, long amount, String... tags) {}

            @Override
            public void gauge(String name, DoubleSupplier value, String... tags) {}

            @Override
            public void record(String name, Duration duration, String... tags) {}
        };
    }

    @Override
    public RecordingGateway gateway() {
        return gateway;
    }

    @Override
    public RecordingAdmin admin() {
        return admin;
    }

    @Override
    public FileTransports fileTransports() {
        return transports;
    }

    /** Scheduled tasks neither done nor cancelled. */
    public long liveTasks() {
        return ((java.util.concurrent.ScheduledThreadPoolExecutor) scheduler)
                .getQueue().stream()
                        .filter(r -> !(r instanceof java.util.concurrent.Future<?> f && f.isDone()))
                        .count();
    }

    @Override
    public void close() throws InterruptedException {
        scheduler.shutdownNow();
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
    }

    /** In-memory store. */
    static final class MemoryStore implements KeyValueStore {
        private final ConcurrentSkipListMap<String, String> map = new ConcurrentSkipListMap<>();

        @Override
        public Optional<String> get(String key) {
            return Optional.ofNullable(map.get(key));
        }

        @Override
        public void put(String key, String value) {
            map.put(key, value);
        }

        @Override
        public void remove(String key) {
            map.remove(key);
        }

        @Override
        public Map<String, String> list(String prefix) {
            return new TreeMap<>(map.subMap(prefix, prefix + Character.MAX_VALUE));
        }
    }

    /** A gateway that records registrations and what users send. */
    public static final class RecordingGateway implements Gateway {
        /** Personal accounts by name. */
        public final Map<String, PersonalAccount> accounts = new ConcurrentHashMap<>();

        /** Events users sent, with their owner. */
        public final List<Map.Entry<String, BridgeEvent>> sent = new CopyOnWriteArrayList<>();

        /** The settings of the last accepted registration. */
        public volatile Map<String, Object> lastSettings = Map.of();

        /** Registrable protocols. */
        public final Map<String, List<RegistrationField>> protocols =
                new ConcurrentHashMap<>(
                        Map.of(
                                "loopback",
                                List.of(
                                        new RegistrationField("nick", "Nick", true, false),
                                        new RegistrationField(
                                                "password", "Password", false, true))));

        @Override
        public Map<String, List<RegistrationField>> registrableProtocols() {
            return protocols;
        }

        @Override
        public String register(
                String gatewayAccount, String owner, String protocol, Map<String, Object> settings)
                throws InvalidConfigException {
            if ("bad".equals(settings.get("nick"))) {
                throw new InvalidConfigException("nick", "nick 'bad' is refused");
            }
            lastSettings = Map.copyOf(settings);
            String name = protocol + "-" + owner.substring(0, owner.indexOf('@'));
            accounts.put(
                    name, new PersonalAccount(name, protocol, gatewayAccount, owner, "online"));
            return name;
        }

        @Override
        public boolean unregister(String owner, String protocol) {
            return accounts.values()
                    .removeIf(a -> a.owner().equals(owner) && a.protocol().equals(protocol));
        }

        @Override
        public List<PersonalAccount> accountsOf(String owner) {
            return new ArrayList<>(
                    accounts.values().stream().filter(a -> a.owner().equals(owner)).toList());
        }

        @Override
        public Optional<PersonalAccount> personal(String account) {
            return Optional.ofNullable(accounts.get(account));
        }

        @Override
        public void send(String owner, BridgeEvent event) {
            PersonalAccount a = accounts.get(event.conversation().account());
            if (a == null || !a.owner().equals(owner)) {
                throw new IllegalArgumentException("not owned");
            }
            sent.add(Map.entry(owner, event));
        }
    }

    /** An admin service over in-memory accounts and links that records restarts. */
    public static final class RecordingAdmin implements AdminService {
        /** Accounts, as the commands list them. */
        public final List<AccountInfo> accounts =
                new CopyOnWriteArrayList<>(
                        List.of(
                                new AccountInfo("comp", "xmpp", "online", ""),
                                new AccountInfo("libera", "irc", "failed", "connection refused")));

        /** Links by name. */
        public final Map<String, LinkInfo> links = new ConcurrentHashMap<>();

        /** Accounts restarted, in order. */
        public final List<String> restarts = new CopyOnWriteArrayList<>();

        @Override
        public List<AccountInfo> accounts() {
            return List.copyOf(accounts);
        }

        @Override
        public List<LinkInfo> links() {
            return List.copyOf(new TreeMap<>(links).values());
        }

        @Override
        public void createLink(String name, List<Address> members, String format) {
            if (members.size() < 2) {
                throw new IllegalArgumentException("a link needs at least two members");
            }
            if (links.putIfAbsent(name, new LinkInfo(name, List.copyOf(members), format)) != null) {
                throw new IllegalArgumentException("a link named " + name + " exists");
            }
        }

        @Override
        public boolean removeLink(String name) {
            return links.remove(name) != null;
        }

        @Override
        public boolean restartAccount(String name) {
            boolean known = accounts.stream().anyMatch(a -> a.name().equals(name));
            if (known) {
                restarts.add(name);
            }
            return known;
        }
    }

    /** A spool of whole files in a folder. */
    public static final class DirSpool implements FileSpool {
        private final Path dir;
        private final Map<String, SpooledFile> files = new ConcurrentHashMap<>();

        DirSpool(Path dir) {
            this.dir = dir;
        }

        /** Puts bytes into the spool directly (as if a network had sent them). */
        public SpooledFile put(String name, byte[] data, String mediaType) throws IOException {
            String id = "f" + files.size() + "-" + java.util.UUID.randomUUID();
            Path p = dir.resolve(id);
            Files.write(p, data);
            SpooledFile f = new SpooledFile(id, name, data.length, sha256(data), mediaType, p);
            files.put(id, f);
            return f;
        }

        @Override
        public Upload receive(Address source, String offerId, String name, long size, String sha256)
                throws SpoolException {
            String id = "u" + files.size() + "-" + Math.abs(offerId.hashCode());
            Path p = dir.resolve(id);
            if (size > 1_000_000) {
                throw new SpoolException("too large");
            }
            return new Upload() {
                private final java.io.ByteArrayOutputStream buf =
                        new java.io.ByteArrayOutputStream();

                @Override
                public String spoolId() {
                    return id;
                }

                @Override
                public String name() {
                    return name;
                }

                @Override
                public long size() {
                    return size;
                }

                @Override
                public List<Range> missing() {
                    return size < 0 || buf.size() >= size
                            ? List.of()
                            : List.of(new Range(buf.size(), size - buf.size()));
                }

                @Override
                public long received() {
                    return buf.size();
                }

                @Override
                public synchronized void write(long offset, byte[] data, int off, int len)
                        throws SpoolException {
                    if (offset != buf.size()) {
                        throw new SpoolException("out of order");
                    }
                    buf.write(data, off, len);
                }

                @Override
                public synchronized SpooledFile complete() throws SpoolException {
                    byte[] data = buf.toByteArray();
                    if (size >= 0 && data.length != size) {
                        throw new SpoolException("missing bytes");
                    }
                    try {
                        Files.write(p, data);
                    } catch (IOException e) {
                        throw new SpoolException(e.toString());
                    }
                    SpooledFile f =
                            new SpooledFile(
                                    id,
                                    name,
                                    data.length,
                                    sha256(data),
                                    "application/octet-stream",
                                    p);
                    files.put(id, f);
                    return f;
                }

                @Override
                public void abort() {}
            };
        }

        @Override
        public Optional<SpooledFile> find(String spoolId) {
            return Optional.ofNullable(files.get(spoolId));
        }

        @Override
        public URI link(String spoolId) {
            return URI.create("http://127.0.0.1:1/files/" + spoolId);
        }

        private static String sha256(byte[] data) {
            try {
                return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
