package dev.sabir.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliTest {
    @TempDir Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return SabirCommand.execute(args, new PrintWriter(out), new PrintWriter(err));
    }

    private Path config(String yaml) throws Exception {
        Path file = dir.resolve("sabir.yml");
        Files.writeString(file, yaml, StandardCharsets.UTF_8);
        return file;
    }

    @Test
    void checkConfigAcceptsAGoodFile() throws Exception {
        Path file =
                config(
                        """
                        admin:
                          listen: 127.0.0.1:8470
                        accounts:
                          lobby-net:
                            plugin: loopback
                            listen: 127.0.0.1:8471
                          second:
                            plugin: loopback
                        links:
                          hall:
                            members: [loopback:lobby-net/#hall, loopback:second/#hall]
                        """);
        assertThat(run("check-config", file.toString())).isZero();
        assertThat(out.toString())
                .contains(file + ": OK")
                .contains("accounts: 2")
                .contains("lobby-net (loopback)")
                .contains("links:    1")
                .contains("hall: [loopback:lobby-net/#hall, loopback:second/#hall]");
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void checkConfigReportsFileLineKey() throws Exception {
        Path file = config("admin:\n  listen: 127.0.0.1:8470\nrouter:\n  when_full: panic\n");
        assertThat(run("check-config", file.toString())).isEqualTo(2);
        assertThat(err.toString().trim())
                .isEqualTo(
                        file
                                + ":4: router.when_full: expected drop-oldest or drop-newest, got 'panic'");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void checkConfigOnMissingFile() {
        assertThat(run("check-config", dir.resolve("absent.yml").toString())).isEqualTo(2);
        assertThat(err.toString()).contains("absent.yml").contains("no such config file");
    }

    @Test
    void runWithBadConfigExitsTwo() throws Exception {
        Path file = config("bogus: 1\n");
        assertThat(run("--config", file.toString())).isEqualTo(2);
        assertThat(err.toString()).contains(file + ":1: bogus: unknown top-level key");
    }

    @Test
    void unknownCommandIsAUsageError() {
        assertThat(run("frobnicate")).isEqualTo(2);
        assertThat(err.toString()).contains("frobnicate");
    }

    @Test
    void version() {
        assertThat(run("version")).isZero();
        assertThat(out.toString()).startsWith("sabir ");
    }

    @Test
    void listsPluginJars() throws Exception {
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        writePluginJar(plugins.resolve("dummy.jar"), "dummy-plugin", "1.2.3");
        assertThat(run("plugins", "--dir", plugins.toString())).as(() -> out + "\n" + err).isZero();
        assertThat(out.toString())
                .contains("dummy-plugin")
                .contains("1.2.3")
                .contains("started")
                .contains("protocols: dummy");
    }

    @Test
    void pluginsFolderMissing() {
        assertThat(run("plugins", "--dir", dir.resolve("nothing").toString())).isEqualTo(1);
        assertThat(err.toString()).contains("no such folder");
    }

    /** A minimal PF4J plugin: manifest, extension index, one connector class. */
    private static void writePluginJar(Path jar, String id, String version) throws Exception {
        Manifest mf = new Manifest();
        Attributes a = mf.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue("Plugin-Id", id);
        a.putValue("Plugin-Version", version);
        a.putValue("Plugin-Provider", "test");
        String cls = DummyConnector.class.getName().replace('.', '/') + ".class";
        try (OutputStream os = Files.newOutputStream(jar);
                JarOutputStream j = new JarOutputStream(os, mf);
                InputStream in = CliTest.class.getClassLoader().getResourceAsStream(cls)) {
            j.putNextEntry(new JarEntry(cls));
            in.transferTo(j);
            j.closeEntry();
            j.putNextEntry(new JarEntry("META-INF/extensions.idx"));
            j.write((DummyConnector.class.getName() + "\n").getBytes(StandardCharsets.UTF_8));
            j.closeEntry();
        }
    }
}
