package dev.sabir.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An operator invites a second SimpleX-style account into a group with {@code sabir simplex invite}
 * and {@code sabir simplex join}, on a running server; each account's group is linked to its own
 * loopback room, so a message in one room crosses the encrypted group into the other.
 */
class SimplexCommandEndToEndTest {
    @TempDir Path dir;
    private SabirProcess sabir;

    @AfterEach
    void stop() throws Exception {
        if (sabir != null) {
            sabir.close();
        }
    }

    @Test
    void inviteAndJoinFromTheCommandLineConnectTheGroup() throws Exception {
        int admin = SabirProcess.freePort();
        int lo = SabirProcess.freePort();
        int sa = SabirProcess.freePort();
        int sb = SabirProcess.freePort();
        Files.writeString(
                dir.resolve("sabir.yml"),
                SabirProcess.baseConfig(dir, admin, false)
                        + """
                accounts:
                  lo: { plugin: loopback, listen: "127.0.0.1:%d" }
                  sa: { plugin: simplex, listen: "127.0.0.1:%d", name: Ann, groups: [team] }
                  sb: { plugin: simplex, listen: "127.0.0.1:%d", name: Ben }
                links:
                  front: { members: [ "loopback:lo/front", "simplex:sa/group:team" ] }
                  back: { members: [ "loopback:lo/back", "simplex:sb/group:team" ] }
                """
                                .formatted(lo, sa, sb));
        Files.createDirectories(dir.resolve("plugins"));
        sabir = new SabirProcess(dir.resolve("sabir.yml"), dir.resolve("sabir.log"), admin).start();

        SabirProcess.CliRun invite =
                SabirProcess.cli(dir.resolve("sabir.yml"), "simplex", "invite", "sa", "team");
        assertThat(invite.code()).as(invite.err()).isZero();
        assertThat(invite.out()).startsWith("simplex:/group#");

        SabirProcess.CliRun join =
                SabirProcess.cli(dir.resolve("sabir.yml"), "simplex", "join", "sb", invite.out());
        assertThat(join.code()).as(join.err()).isZero();
        assertThat(join.out()).isEqualTo("joined");

        SabirProcess.CliRun again =
                SabirProcess.cli(
                        dir.resolve("sabir.yml"), "simplex", "invite", "sa", "no-such-group");
        assertThat(again.code()).isEqualTo(1);
        assertThat(again.err()).contains("refused (400)");

        try (LineClient front = new LineClient(lo, "fred");
                LineClient back = new LineClient(lo, "bea")) {
            front.join("front", "fred");
            back.join("back", "bea");
            front.say("MSG front across the group");
            assertThat(back.await(l -> l.startsWith("MSG back ")))
                    .contains("fred")
                    .endsWith("across the group");
        }
    }
}
