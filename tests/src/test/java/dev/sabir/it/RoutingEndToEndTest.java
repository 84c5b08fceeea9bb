package dev.sabir.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sabir as an operator runs it: its own process, a config file, two loopback networks linked by a
 * room; users on plain sockets. Covers relay with the nick template, edits mapped across networks,
 * an offline destination catching up in order, and pending deliveries surviving kill -9.
 */
class RoutingEndToEndTest {
    @TempDir Path dir;
    private int portA;
    private int portB;
    private int admin;
    private SabirProcess sabir;

    @BeforeEach
    void writeConfig() throws Exception {
        portA = SabirProcess.freePort();
        portB = SabirProcess.freePort();
        admin = SabirProcess.freePort();
        Files.writeString(
                dir.resolve("sabir.yml"),
                SabirProcess.baseConfig(dir, admin, false)
                        + """
                accounts:
                  neta: { plugin: loopback, listen: "127.0.0.1:%d" }
                  netb: { plugin: loopback, listen: "127.0.0.1:%d" }
                links:
                  lobby:
                    members: [ "loopback:neta/lobby", "loopback:netb/lobby" ]
                    format: "[{nick}/{account}] {text}"
                """
                                .formatted(portA, portB));
        Files.createDirectories(dir.resolve("plugins"));
        sabir = new SabirProcess(dir.resolve("sabir.yml"), dir.resolve("sabir.log"), admin);
    }

    @AfterEach
    void stop() throws Exception {
        sabir.close();
    }

    @Test
    void messagesCrossTheLinkWithTheTemplateAndEditsFollow() throws Exception {
        sabir.start();
        try (LineClient alice = new LineClient(portA, "alice");
                LineClient bob = new LineClient(portB, "bob")) {
            alice.join("lobby", "alice");
            bob.join("lobby", "bob");
            alice.say("MSG lobby good morning");
            String ok = alice.await(l -> l.startsWith("OK "));
            String got = bob.await(l -> l.startsWith("MSG lobby "));
            assertThat(got).endsWith(" sabir [alice/neta] good morning");
            String remoteId = got.split(" ")[2];

            alice.say("EDIT lobby " + ok.substring(3) + " good evening");
            String edit = bob.await(l -> l.startsWith("EDIT lobby "));
            assertThat(edit).startsWith("EDIT lobby " + remoteId + " ").endsWith("good evening");

            bob.say("MSG lobby hello back");
            assertThat(alice.await(l -> l.startsWith("MSG lobby ")))
                    .endsWith("[bob/netb] hello back");
            // nothing echoes back to the sender's own network
            assertThat(bob.drain(500))
                    .noneMatch(l -> l.contains("hello back") && l.startsWith("MSG"));
        }
        assertThat(sabir.get("/metrics")).contains("sabir_messages_routed");
        // SIGTERM: the JVM reports 143 (128 + 15) after the shutdown hook closed everything
        assertThat(sabir.stop()).isIn(0, 143);
        assertThat(sabir.output()).contains("Sabir stopping").contains("Sabir stopped");
    }

    @Test
    void offlineDestinationReceivesMissedMessagesInOrder() throws Exception {
        sabir.start();
        try (LineClient alice = new LineClient(portA, "alice");
                LineClient bob = new LineClient(portB, "bob")) {
            alice.join("lobby", "alice");
            bob.join("lobby", "bob");
            bob.say("OFFLINE");
            bob.await(l -> l.equals("OK offline"));
            for (int i = 1; i <= 5; i++) {
                alice.say("MSG lobby missed " + i);
                alice.await(l -> l.startsWith("OK "));
            }
            assertThat(bob.drain(500)).noneMatch(l -> l.contains("missed"));
            bob.say("ONLINE");
            for (int i = 1; i <= 5; i++) {
                String n = String.valueOf(i);
                assertThat(bob.await(l -> l.contains("missed "))).endsWith("missed " + n);
            }
        }
    }

    @Test
    void pendingDeliveriesSurviveKillNineWithoutDuplicates() throws Exception {
        sabir.start();
        try (LineClient alice = new LineClient(portA, "alice");
                LineClient bob = new LineClient(portB, "bob")) {
            alice.join("lobby", "alice");
            bob.join("lobby", "bob");
            bob.say("OFFLINE");
            bob.await(l -> l.equals("OK offline"));
            for (int i = 1; i <= 5; i++) {
                alice.say("MSG lobby kept " + i);
                alice.await(l -> l.startsWith("OK "));
            }
            Thread.sleep(300); // the router stores asynchronously after accept()
        }
        sabir.kill();
        sabir.start();
        try (LineClient bob = new LineClient(portB, "bob")) {
            bob.say("JOIN lobby");
            for (int i = 1; i <= 5; i++) {
                String n = String.valueOf(i);
                assertThat(bob.await(l -> l.contains("kept "))).endsWith("kept " + n);
            }
            List<String> all = bob.drain(1000);
            assertThat(all.stream().filter(l -> l.contains("kept ")).count()).isEqualTo(5);
        }
    }

    @Test
    void operatorCommandsReachAnAccountThroughTheCommandLine() throws Exception {
        sabir.start();
        try (LineClient alice = new LineClient(portA, "alice")) {
            alice.join("lobby", "alice");
            SabirProcess.CliRun rooms =
                    SabirProcess.cli(dir.resolve("sabir.yml"), "command", "neta", "rooms");
            assertThat(rooms.code()).isZero();
            assertThat(rooms.out()).contains("lobby [alice]");

            SabirProcess.CliRun announce =
                    SabirProcess.cli(
                            dir.resolve("sabir.yml"),
                            "command",
                            "neta",
                            "announce",
                            "lobby",
                            "maintenance",
                            "at",
                            "noon");
            assertThat(announce.code()).isZero();
            assertThat(alice.await(l -> l.startsWith("NOTICE ")))
                    .isEqualTo("NOTICE lobby maintenance at noon");

            SabirProcess.CliRun unknown =
                    SabirProcess.cli(dir.resolve("sabir.yml"), "command", "neta", "reboot");
            assertThat(unknown.code()).isEqualTo(1);
            assertThat(unknown.err()).contains("unknown command 'reboot'");

            SabirProcess.CliRun nobody =
                    SabirProcess.cli(dir.resolve("sabir.yml"), "command", "nobody", "rooms");
            assertThat(nobody.code()).isEqualTo(1);
            assertThat(nobody.err()).contains("no account named 'nobody'");
        }
    }
}
