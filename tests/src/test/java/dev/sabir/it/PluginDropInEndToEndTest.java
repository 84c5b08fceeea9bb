package dev.sabir.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * PF4J hot drop-in through the real launcher path ({@code Main run --config}, a watched plugin
 * folder): the server runs without the loopback connector on its class path, so its loopback
 * account waits until the shaded plugin JAR is dropped into the folder, and goes back to waiting
 * when the JAR is deleted.
 */
@Timeout(90)
class PluginDropInEndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path dir;
    private SabirProcess sabir;

    @AfterEach
    void stop() throws Exception {
        if (sabir != null) {
            sabir.close();
        }
    }

    /** True for class path entries that are (or contain) the loopback plugin. */
    private static boolean isLoopback(String entry) {
        String e = entry.replace(File.separatorChar, '/');
        return e.contains("/sabir-loopback-") || e.contains("/plugins/loopback/target/");
    }

    /** The shaded PF4J JAR next to the loopback JAR this module depends on. */
    private static Path loopbackPluginJar() {
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(entry);
            String name = p.getFileName().toString();
            if (name.startsWith("sabir-loopback-")
                    && name.endsWith(".jar")
                    && !name.endsWith("-plugin.jar")) {
                Path plugin = p.resolveSibling(name.replace(".jar", "-plugin.jar"));
                if (Files.isRegularFile(plugin)) {
                    return plugin;
                }
            }
            if (entry.replace(File.separatorChar, '/')
                    .endsWith("/plugins/loopback/target/classes")) {
                try (Stream<Path> s = Files.list(p.getParent())) {
                    Path found =
                            s.filter(f -> f.getFileName().toString().endsWith("-plugin.jar"))
                                    .findFirst()
                                    .orElse(null);
                    if (found != null) {
                        return found;
                    }
                } catch (IOException ignored) {
                    // fall through to the local repository
                }
            }
        }
        Path m2 =
                Path.of(
                        System.getProperty("user.home"),
                        ".m2",
                        "repository",
                        "dev",
                        "sabir",
                        "sabir-loopback",
                        "0.1.0-SNAPSHOT",
                        "sabir-loopback-0.1.0-SNAPSHOT-plugin.jar");
        assertThat(m2)
                .as("the shaded loopback plugin jar (mvn install of plugins/loopback)")
                .isRegularFile();
        return m2;
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private List<String> builtinProtocols() throws Exception {
        List<String> out = new ArrayList<>();
        for (JsonNode p : JSON.readTree(sabir.health()).path("plugins")) {
            if (p.path("id").asText().equals("builtin")) {
                p.path("protocols").forEach(n -> out.add(n.asText()));
            }
        }
        return out;
    }

    @Test
    void aDroppedInJarBringsTheAccountOnlineAndDeletingItClosesTheListener() throws Exception {
        int loPort = SabirProcess.freePort();
        int admin = SabirProcess.freePort();
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        Files.writeString(
                dir.resolve("sabir.yml"),
                SabirProcess.baseConfig(dir, admin, true)
                        + """
                accounts:
                  lo: { plugin: loopback, listen: "127.0.0.1:%d" }
                """
                                .formatted(loPort));
        sabir =
                new SabirProcess(dir.resolve("sabir.yml"), dir.resolve("sabir.log"), admin)
                        .classPathFilter(e -> !isLoopback(e));
        assertThat(sabir.classPath()).doesNotContain("sabir-loopback");
        sabir.start(false);

        // no loopback connector anywhere yet: the account waits and nothing listens
        assertThat(builtinProtocols()).doesNotContain("loopback");
        await().atMost(Duration.ofSeconds(10))
                .until(() -> "waiting".equals(sabir.accountState("lo")));
        assertThat(accepts(loPort)).isFalse();

        // drop the jar in atomically (copy under a hidden name, then rename)
        Path hidden = plugins.resolve(".loopback.jar.tmp");
        Files.copy(loopbackPluginJar(), hidden);
        Path jar = plugins.resolve("loopback.jar");
        long dropped = System.nanoTime();
        Files.move(hidden, jar, StandardCopyOption.ATOMIC_MOVE);
        await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(10))
                .until(() -> accepts(loPort));
        long listening = System.nanoTime();
        LineClient lucy = new LineClient(loPort, "lucy");
        long usable = System.nanoTime();
        String state = sabir.accountState("lo");
        long dropInMillis = (usable - dropped) / 1_000_000;
        System.out.printf(
                "PF4J drop-in: port listening after %d ms, client logged in after %d ms%n",
                (listening - dropped) / 1_000_000, dropInMillis);
        assertThat(state).isEqualTo("online");
        assertThat(dropInMillis).as("drop-in latency in ms").isLessThan(2000);
        assertThat(sabir.health()).contains("\"id\":\"loopback\"").contains("\"started\"");

        // the plugin really serves the account
        lucy.join("lobby", "lucy");
        lucy.say("MSG lobby served by the plugin jar");
        assertThat(lucy.await(l -> l.startsWith("OK "))).matches("OK \\S+");

        // deleting the jar closes the account's listener and its clients
        long deleted = System.nanoTime();
        Files.delete(jar);
        await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(10))
                .until(() -> !accepts(loPort));
        System.out.printf(
                "PF4J removal: listener closed %d ms after the jar was deleted%n",
                (System.nanoTime() - deleted) / 1_000_000);
        Throwable gone = catchThrowable(() -> lucy.await(l -> false));
        assertThat(gone)
                .as("the connected client is disconnected")
                .satisfiesAnyOf(
                        t -> assertThat(t).isInstanceOf(IOException.class),
                        t ->
                                assertThat(t)
                                        .isInstanceOf(AssertionError.class)
                                        .hasMessageStartingWith("closed"));
        lucy.close();
        await().atMost(Duration.ofSeconds(5))
                .until(() -> "waiting".equals(sabir.accountState("lo")));
        assertThat(sabir.output()).contains("plugin loopback unloaded");
    }
}
