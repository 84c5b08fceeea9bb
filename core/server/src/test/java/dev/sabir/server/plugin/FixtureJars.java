package dev.sabir.server.plugin;

import dev.sabir.api.Connector;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Builds small PF4J plugin JARs at test time: a connector compiled from source with the JDK's
 * compiler, the PF4J manifest entries and {@code META-INF/extensions.idx}.
 *
 * <p>The fixture session records what happens to it in its key-value store ({@code connected},
 * {@code joined:<conversation>}, {@code closed}, each with the plugin version), registers a gauge,
 * leaves a periodic task for the host to cancel, and reports ONLINE with the version as reason.
 */
final class FixtureJars {
    private FixtureJars() {}

    /** What to build. */
    record Spec(
            String pluginId,
            String version,
            String protocol,
            boolean startThrows,
            boolean bundleShared,
            boolean withId) {
        static Spec of(String pluginId, String version) {
            return new Spec(pluginId, version, pluginId, false, false, true);
        }

        Spec throwingStart() {
            return new Spec(pluginId, version, protocol, true, bundleShared, withId);
        }

        Spec bundlingShared() {
            return new Spec(pluginId, version, protocol, startThrows, true, withId);
        }

        Spec noId() {
            return new Spec(pluginId, version, protocol, startThrows, bundleShared, false);
        }
    }

    private static final Map<Spec, byte[]> CACHE = new ConcurrentHashMap<>();

    /** The bytes of the fixture's jar (compiled once per spec per test run). */
    static byte[] jar(Spec spec) {
        return CACHE.computeIfAbsent(spec, FixtureJars::build);
    }

    /** Writes the jar atomically (temporary hidden name, then rename) into the folder. */
    static Path dropIn(Path dir, String fileName, Spec spec) throws IOException {
        Path tmp = dir.resolve("." + fileName + ".tmp");
        Files.write(tmp, jar(spec));
        return Files.move(tmp, dir.resolve(fileName), StandardCopyOption.ATOMIC_MOVE);
    }

    private static byte[] build(Spec spec) {
        try {
            Path work = Files.createTempDirectory("sabir-fixture");
            String pkg = "fx." + spec.pluginId().replaceAll("[^a-z0-9]", "_") + ".v"
                    + spec.version().replaceAll("[^0-9]", "_");
            Path src = work.resolve("src");
            Path out = work.resolve("classes");
            Files.createDirectories(out);
            List<Path> sources = new ArrayList<>();
            sources.add(write(src, pkg, "FxConnector", connectorSource(pkg, spec)));
            if (spec.startThrows()) {
                sources.add(write(src, pkg, "FxPlugin", "package " + pkg + ";\n"
                        + "public class FxPlugin extends org.pf4j.Plugin {\n"
                        + "  @Override public void start() {\n"
                        + "    throw new IllegalStateException(\"native library missing\");\n"
                        + "  }\n}\n"));
            }
            if (spec.bundleShared()) {
                sources.add(write(src, "io.netty.util", "Version",
                        "package io.netty.util;\npublic class Version {\n"
                        + "  public static String copy() { return \"plugin copy\"; }\n}\n"));
            }
            compile(sources, out);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            Manifest mf = new Manifest();
            Attributes a = mf.getMainAttributes();
            a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
            if (spec.withId()) {
                a.putValue("Plugin-Id", spec.pluginId());
            }
            a.putValue("Plugin-Version", spec.version());
            if (spec.startThrows()) {
                a.putValue("Plugin-Class", pkg + ".FxPlugin");
            }
            try (JarOutputStream jar = new JarOutputStream(bytes, mf)) {
                try (Stream<Path> files = Files.walk(out)) {
                    for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                        String name = out.relativize(f).toString().replace('\\', '/');
                        put(jar, name, Files.readAllBytes(f));
                    }
                }
                put(jar, "META-INF/extensions.idx",
                        (pkg + ".FxConnector\n").getBytes(StandardCharsets.UTF_8));
                if (spec.bundleShared()) {
                    for (String c : List.of("Connector", "Session", "EventSink", "HostContext", "AccountConfig")) {
                        put(jar, "dev/sabir/api/" + c + ".class", classBytes(c));
                    }
                }
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] classBytes(String simpleName) throws IOException {
        try (InputStream in = Connector.class.getResourceAsStream(simpleName + ".class")) {
            return in.readAllBytes();
        }
    }

    private static void put(JarOutputStream jar, String name, byte[] data) throws IOException {
        jar.putNextEntry(new JarEntry(name));
        jar.write(data);
        jar.closeEntry();
    }

    private static Path write(Path src, String pkg, String cls, String text) throws IOException {
        Path f = src.resolve(pkg.replace('.', '/')).resolve(cls + ".java");
        Files.createDirectories(f.getParent());
        Files.writeString(f, text);
        return f;
    }

    private static void compile(List<Path> sources, Path out) {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        String cp = location(Connector.class) + java.io.File.pathSeparator + location(org.pf4j.Plugin.class);
        List<String> args = new ArrayList<>(List.of(
                "-proc:none", "--release", "17", "-nowarn", "-cp", cp, "-d", out.toString()));
        sources.forEach(s -> args.add(s.toString()));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = javac.run(null, OutputStream.nullOutputStream(), err, args.toArray(String[]::new));
        if (rc != 0) {
            throw new IllegalStateException("fixture does not compile:\n" + err);
        }
    }

    private static String location(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String connectorSource(String pkg, Spec spec) {
        return """
                package PKG;

                import dev.sabir.api.*;
                import java.util.*;
                import java.util.concurrent.*;

                public class FxConnector implements Connector {
                    public String protocol() { return "PROTO"; }
                    public Set<Capability> capabilities() { return EnumSet.of(Capability.ROOMS); }
                    public Session open(AccountConfig a, HostContext h, EventSink sink)
                            throws InvalidConfigException {
                        a.integer("port", 1, 1, 65535);
                        return new FxSession(a, h, sink);
                    }
                }

                class FxSession implements Session {
                    private final AccountConfig a;
                    private final HostContext h;
                    private final EventSink sink;

                    FxSession(AccountConfig a, HostContext h, EventSink sink) {
                        this.a = a; this.h = h; this.sink = sink;
                    }

                    public CompletionStage<Void> connect() {
                        h.store().put("connected", "VERSION");
                        h.metrics().gauge("fx_alive", () -> 1.0);
                        h.scheduler().scheduleAtFixedRate(() -> h.store().put("tick", "VERSION"),
                                1, 1, TimeUnit.HOURS);
                        CompletableFuture<Void> f = new CompletableFuture<>();
                        h.scheduler().execute(() -> {
                            sink.accept(new SessionState(a.address(), SessionState.State.ONLINE, "VERSION"));
                            f.complete(null);
                        });
                        return f;
                    }

                    public CompletionStage<Void> join(Address c) {
                        h.store().put("joined:" + c, "VERSION");
                        return CompletableFuture.completedFuture(null);
                    }

                    public CompletionStage<String> deliver(Delivery d) {
                        return CompletableFuture.completedFuture("VERSION");
                    }

                    public void close() {
                        h.store().put("closed", "VERSION");
                    }
                }
                """
                .replace("PKG", pkg)
                .replace("PROTO", spec.protocol())
                .replace("VERSION", spec.version());
    }
}
