package dev.sabir.torchat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sabir.api.FileOffer;
import dev.sabir.api.FileProgress;
import dev.sabir.api.FileSpool.SpooledFile;
import dev.sabir.api.PresenceUpdate;
import dev.sabir.api.Sender;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files both ways through the spool, with a window of blocks, md5 checks and resume. */
class FileTransferTest {
    private static final Duration LONG = Duration.ofSeconds(60);
    @TempDir Path dir;
    EventLoopGroup loops;
    Node alice;
    Node bob;

    @BeforeEach
    void start() throws Exception {
        loops = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        alice = new Node("alice", dir, loops).set("file_timeout_ms", 2000);
        bob = new Node("bob", dir, loops).set("file_timeout_ms", 2000);
        alice.knows(bob).buddies(bob);
        bob.knows(alice).buddies(alice);
        alice.start();
        bob.start();
    }

    @AfterEach
    void stop() {
        alice.close();
        bob.close();
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static byte[] content(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    private CompletableFuture<String> offer(Node from, Node to, SpooledFile f) {
        FileOffer offer =
                new FileOffer(
                        Deliveries.conv(from, to.id),
                        Sender.of("tester"),
                        "offer-" + f.spoolId(),
                        f.name(),
                        f.size(),
                        f.sha256(),
                        null,
                        f.spoolId());
        return from.session.deliver(Deliveries.of(from, to.id, offer)).toCompletableFuture();
    }

    @Test
    void tenMegabytesBothWays() throws Exception {
        byte[] one = content(10 * 1024 * 1024, 1);
        byte[] two = content(10 * 1024 * 1024 + 1234, 2);
        SpooledFile a = alice.host.spool().add("from-alice.bin", one);
        SpooledFile b = bob.host.spool().add("from-bob.bin", two);

        CompletableFuture<String> sentA = offer(alice, bob, a);
        CompletableFuture<String> sentB = offer(bob, alice, b);

        FileOffer atBob =
                bob.sink.awaitEvent(FileOffer.class, o -> o.name().equals("from-alice.bin"), LONG);
        FileOffer atAlice =
                alice.sink.awaitEvent(FileOffer.class, o -> o.name().equals("from-bob.bin"), LONG);
        assertThat(sentA.get(LONG.toSeconds(), TimeUnit.SECONDS)).isNotBlank();
        assertThat(sentB.get(LONG.toSeconds(), TimeUnit.SECONDS)).isNotBlank();

        assertThat(atBob.sha256()).isEqualTo(sha256(one));
        assertThat(atBob.size()).isEqualTo(one.length);
        assertThat(atBob.sender().id()).isEqualTo(alice.id);
        assertThat(
                        sha256(
                                Files.readAllBytes(
                                        bob.host
                                                .spool()
                                                .find(atBob.spoolId())
                                                .orElseThrow()
                                                .path())))
                .isEqualTo(sha256(one));
        assertThat(atAlice.sha256()).isEqualTo(sha256(two));
        assertThat(alice.host.spool().find(atAlice.spoolId()).orElseThrow().size())
                .isEqualTo(two.length);
    }

    @Test
    void transferCutMidwayResumesAfterReconnect() throws Exception {
        byte[] data = content(3 * 1024 * 1024, 3);
        SpooledFile a = alice.host.spool().add("resume.bin", data);
        CompletableFuture<String> sent = offer(alice, bob, a);

        FileProgress mid =
                bob.sink.awaitEvent(
                        FileProgress.class,
                        p ->
                                p.state() == FileProgress.State.TRANSFERRING
                                        && p.transferred() >= 1024 * 1024,
                        LONG);
        assertThat(mid.transferred()).isLessThan(data.length);
        bob.session.dropConnections(alice.id);
        bob.sink.awaitEvent(
                PresenceUpdate.class, p -> p.status() == PresenceUpdate.Status.OFFLINE, LONG);

        FileOffer done =
                bob.sink.awaitEvent(FileOffer.class, o -> o.name().equals("resume.bin"), LONG);
        assertThat(done.sha256()).isEqualTo(sha256(data));
        assertThat(sent.get(LONG.toSeconds(), TimeUnit.SECONDS)).isNotBlank();
        // the receiver kept its blocks: it reported progress past the cut, never restarting from 0
        assertThat(bob.sink.events())
                .filteredOn(FileProgress.class::isInstance)
                .map(FileProgress.class::cast)
                .filteredOn(
                        p -> p.state() == FileProgress.State.TRANSFERRING && p.transferred() > 0)
                .extracting(FileProgress::transferred)
                .isSorted();
    }

    @Test
    void unknownSpoolIdFailsPermanently() {
        FileOffer offer =
                new FileOffer(
                        Deliveries.conv(alice, bob.id),
                        Sender.of("t"),
                        "x",
                        "x.bin",
                        1,
                        null,
                        null,
                        "nope");
        CompletableFuture<String> f =
                alice.session.deliver(Deliveries.of(alice, bob.id, offer)).toCompletableFuture();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> f.get(5, TimeUnit.SECONDS))
                .hasCauseInstanceOf(dev.sabir.api.DeliveryException.class);
    }
}
