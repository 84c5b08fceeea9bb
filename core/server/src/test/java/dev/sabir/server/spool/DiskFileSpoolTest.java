package dev.sabir.server.spool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sabir.api.Address;
import dev.sabir.api.BridgeEvent;
import dev.sabir.api.FileProgress;
import dev.sabir.api.FileSpool;
import dev.sabir.api.FileSpool.Range;
import dev.sabir.api.FileSpool.SpoolException;
import dev.sabir.api.FileSpool.SpooledFile;
import dev.sabir.server.config.SabirConfig;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiskFileSpoolTest {
    @TempDir Path dir;

    private final List<BridgeEvent> events = new CopyOnWriteArrayList<>();
    private final Address alice = Address.parse("loopback:lobby/alice");
    private final Address bob = Address.parse("loopback:other/bob");

    private DiskFileSpool spool(long max, long perSource, long total) {
        return new DiskFileSpool(
                new SabirConfig.Spool(dir.resolve("spool"), max, perSource, total),
                URI.create("http://127.0.0.1:8470/"),
                events::add);
    }

    private DiskFileSpool spool() {
        return spool(1 << 20, 4 << 20, 8 << 20);
    }

    private static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static String sha(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    @Test
    void receivesCompletesAndLinks() throws Exception {
        byte[] content = bytes(10_000, 1);
        try (DiskFileSpool spool = spool()) {
            FileSpool.Upload up =
                    spool.receive(
                            alice, "offer-1", "holiday photo.jpg", content.length, sha(content));
            assertThat(up.missing()).containsExactly(new Range(0, 10_000));
            up.write(5000, content, 5000, 5000);
            assertThat(up.missing()).containsExactly(new Range(0, 5000));
            up.write(0, content, 0, 5000);
            up.write(0, content, 0, 100); // repeated range is harmless
            assertThat(up.missing()).isEmpty();
            assertThat(up.received()).isEqualTo(10_000);

            SpooledFile f = up.complete();
            assertThat(f.size()).isEqualTo(10_000);
            assertThat(f.sha256()).isEqualTo(sha(content));
            assertThat(f.mediaType()).isEqualTo("image/jpeg");
            try (InputStream in = f.open(0)) {
                assertThat(in.readAllBytes()).isEqualTo(content);
            }
            assertThat(spool.find(f.spoolId())).contains(f);
            assertThat(spool.find("../../etc")).isEmpty();
            assertThat(spool.link(f.spoolId()).toString())
                    .isEqualTo(
                            "http://127.0.0.1:8470/files/" + f.spoolId() + "/holiday%20photo.jpg");

            assertThat(events).last().isInstanceOf(FileProgress.class);
            FileProgress done = (FileProgress) events.get(events.size() - 1);
            assertThat(done.state()).isEqualTo(FileProgress.State.COMPLETE);
            assertThat(done.conversation()).isEqualTo(alice);
            assertThat(done.offerId()).isEqualTo("offer-1");
            assertThat(done.transferred()).isEqualTo(10_000);
            assertThat(events)
                    .anyMatch(e -> ((FileProgress) e).state() == FileProgress.State.TRANSFERRING);

            // the same offer again is the finished file, not a new upload
            FileSpool.Upload again =
                    spool.receive(
                            alice, "offer-1", "holiday photo.jpg", content.length, sha(content));
            assertThat(again.spoolId()).isEqualTo(f.spoolId());
            assertThat(again.missing()).isEmpty();

            // the same offer id announcing other content starts a new file
            FileSpool.Upload other = spool.receive(alice, "offer-1", "holiday photo.jpg", 5, null);
            assertThat(other.spoolId()).isNotEqualTo(f.spoolId());
            assertThat(other.missing()).containsExactly(new Range(0, 5));
            assertThat(spool.find(f.spoolId())).isPresent(); // the finished one stays linkable
        }
    }

    @Test
    void theHashIsRightWhateverTheOrderOfWrites() throws Exception {
        byte[] content = bytes(200_000, 7);
        try (DiskFileSpool spool = spool()) {
            // in order, in chunks: hashed as the bytes arrive
            FileSpool.Upload inOrder = spool.receive(alice, "a", "a.bin", content.length, null);
            for (int i = 0; i < content.length; i += 1024) {
                inOrder.write(i, content, i, Math.min(1024, content.length - i));
            }
            assertThat(inOrder.complete().sha256()).isEqualTo(sha(content));

            // the tail first, then the head: the rest is read back from the file
            FileSpool.Upload tailFirst = spool.receive(alice, "b", "b.bin", content.length, null);
            tailFirst.write(150_000, content, 150_000, 50_000);
            tailFirst.write(0, content, 0, 100_000);
            tailFirst.write(100_000, content, 100_000, 50_000);
            assertThat(tailFirst.complete().sha256()).isEqualTo(sha(content));

            // a range written twice with other bytes: the stored bytes decide, not the first ones
            byte[] changed = content.clone();
            changed[10] ^= 0x55;
            FileSpool.Upload rewritten = spool.receive(alice, "c", "c.bin", content.length, null);
            rewritten.write(0, content, 0, content.length);
            rewritten.write(0, changed, 0, 1000);
            SpooledFile f = rewritten.complete();
            assertThat(f.sha256()).isEqualTo(sha(changed));
            try (InputStream in = f.open(0)) {
                assertThat(in.readAllBytes()).isEqualTo(changed);
            }

            // and an announced hash that the rewritten bytes no longer match is refused
            FileSpool.Upload announced =
                    spool.receive(alice, "d", "d.bin", content.length, sha(content));
            announced.write(0, content, 0, content.length);
            announced.write(0, changed, 0, 1000);
            assertThatThrownBy(announced::complete)
                    .isInstanceOf(FileSpool.SpoolException.class)
                    .hasMessageContaining("sha256 mismatch");
        }
    }

    @Test
    void retentionRemovesOldFilesAndIdlePartialOnes() throws Exception {
        byte[] content = bytes(5000, 9);
        try (DiskFileSpool spool =
                new DiskFileSpool(
                        new SabirConfig.Spool(
                                dir.resolve("spool"),
                                1 << 20,
                                1 << 20,
                                1 << 20,
                                java.time.Duration.ofHours(24),
                                java.time.Duration.ofHours(2)),
                        URI.create("http://127.0.0.1:8470/"),
                        events::add)) {
            FileSpool.Upload done = spool.receive(alice, "old", "old.bin", content.length, null);
            done.write(0, content, 0, content.length);
            SpooledFile f = done.complete();
            FileSpool.Upload partial = spool.receive(bob, "half", "half.bin", content.length, null);
            partial.write(0, content, 0, 100);
            long used = spool.usedBytes();
            java.time.Instant now = java.time.Instant.now();

            // an hour on: nothing is old enough
            assertThat(spool.sweep(now.plus(java.time.Duration.ofHours(1)))).isZero();
            // three hours on: the idle partial file goes, the finished one stays
            assertThat(spool.sweep(now.plus(java.time.Duration.ofHours(3)))).isEqualTo(1);
            assertThat(spool.partialFiles()).isZero();
            assertThatThrownBy(() -> partial.write(100, content, 100, 100))
                    .isInstanceOf(FileSpool.SpoolException.class);
            assertThat(spool.find(f.spoolId())).isPresent();
            // a day and more on: the finished file goes too, with its folder and its quota
            assertThat(spool.sweep(now.plus(java.time.Duration.ofHours(25)))).isEqualTo(1);
            assertThat(spool.find(f.spoolId())).isEmpty();
            assertThat(f.path()).doesNotExist();
            assertThat(spool.usedBytes()).isZero();
            assertThat(used).isEqualTo(2L * content.length);
            // and it stays gone for a new spool on the same folder
            try (DiskFileSpool again = spool()) {
                assertThat(again.find(f.spoolId())).isEmpty();
                assertThat(again.partialFiles()).isZero();
            }
        }
    }

    @Test
    void resumesAcrossANewSpoolInstance() throws Exception {
        byte[] content = bytes(300_000, 2);
        String id;
        try (DiskFileSpool first = spool()) {
            FileSpool.Upload up =
                    first.receive(alice, "offer-2", "song.ogg", content.length, sha(content));
            id = up.spoolId();
            up.write(0, content, 0, 100_000);
            up.write(200_000, content, 200_000, 50_000);
        } // the old instance goes away (server restart)

        try (DiskFileSpool second = spool()) {
            assertThat(second.find(id)).isEmpty(); // not complete yet
            FileSpool.Upload up =
                    second.receive(alice, "offer-2", "song.ogg", content.length, sha(content));
            assertThat(up.spoolId()).isEqualTo(id);
            assertThat(up.received()).isEqualTo(150_000);
            assertThat(up.missing())
                    .containsExactly(new Range(100_000, 100_000), new Range(250_000, 50_000));
            for (Range r : up.missing()) {
                up.write(r.offset(), content, (int) r.offset(), (int) r.length());
            }
            SpooledFile f = up.complete();
            assertThat(Files.readAllBytes(f.path())).isEqualTo(content);
        }

        try (DiskFileSpool third = spool()) {
            SpooledFile f = third.find(id).orElseThrow();
            assertThat(f.name()).isEqualTo("song.ogg");
            assertThat(f.sha256()).isEqualTo(sha(content));
            // another source with the same offer id is a different file
            assertThat(third.receive(bob, "offer-2", "song.ogg", 10, null).spoolId())
                    .isNotEqualTo(id);
        }
    }

    @Test
    void hashMismatchDropsThePartialFile() throws Exception {
        byte[] content = bytes(4096, 3);
        try (DiskFileSpool spool = spool()) {
            FileSpool.Upload up =
                    spool.receive(alice, "bad", "a.bin", content.length, sha(bytes(4096, 4)));
            up.write(0, content, 0, content.length);
            assertThatThrownBy(up::complete)
                    .isInstanceOf(SpoolException.class)
                    .hasMessageContaining("sha256 mismatch");
            assertThat(Files.exists(dir.resolve("spool").resolve(up.spoolId()))).isFalse();
            assertThat(spool.find(up.spoolId())).isEmpty();
            assertThatThrownBy(() -> up.write(0, content, 0, 1)).isInstanceOf(SpoolException.class);
            FileProgress failed = (FileProgress) events.get(events.size() - 1);
            assertThat(failed.state()).isEqualTo(FileProgress.State.FAILED);

            // the sender can start over with the same offer id
            FileSpool.Upload retry =
                    spool.receive(alice, "bad", "a.bin", content.length, sha(content));
            assertThat(retry.spoolId()).isNotEqualTo(up.spoolId());
            assertThat(retry.missing()).containsExactly(new Range(0, 4096));
        }
    }

    @Test
    void missingBytesAreReportedNotDropped() throws Exception {
        try (DiskFileSpool spool = spool()) {
            FileSpool.Upload up = spool.receive(alice, "gap", "a.txt", 100, null);
            up.write(0, new byte[50], 0, 50);
            assertThatThrownBy(up::complete).hasMessageContaining("50 bytes still missing");
            assertThat(up.missing()).containsExactly(new Range(50, 50));
        }
    }

    @Test
    void sizeLimit() throws Exception {
        try (DiskFileSpool spool = spool(1000, 1 << 20, 1 << 20)) {
            assertThatThrownBy(() -> spool.receive(alice, "big", "big.iso", 1001, null))
                    .isInstanceOf(SpoolException.class)
                    .hasMessageContaining("over the limit");
            FileSpool.Upload known = spool.receive(alice, "ok", "ok.bin", 1000, null);
            assertThatThrownBy(() -> known.write(900, new byte[200], 0, 200))
                    .hasMessageContaining("beyond the announced size");
            FileSpool.Upload unknown = spool.receive(alice, "unknown", "stream.bin", -1, null);
            unknown.write(0, new byte[1000], 0, 1000);
            assertThatThrownBy(() -> unknown.write(1000, new byte[1], 0, 1))
                    .hasMessageContaining("over the limit");
            assertThat(unknown.complete().size()).isEqualTo(1000);
        }
    }

    @Test
    void quotasPerSourceAndTotal() throws Exception {
        try (DiskFileSpool spool = spool(1000, 1500, 2500)) {
            spool.receive(alice, "a1", "a1", 1000, null);
            assertThatThrownBy(() -> spool.receive(alice, "a2", "a2", 600, null))
                    .hasMessageContaining("quota")
                    .hasMessageContaining("loopback:lobby");
            // another conversation on the same account shares the quota
            Address aliceRoom = Address.parse("loopback:lobby/#room");
            assertThatThrownBy(() -> spool.receive(aliceRoom, "a3", "a3", 600, null))
                    .hasMessageContaining("quota");
            spool.receive(bob, "b1", "b1", 1000, null);
            assertThatThrownBy(
                            () ->
                                    spool.receive(
                                            Address.parse("loopback:third/x"),
                                            "c1",
                                            "c1",
                                            600,
                                            null))
                    .hasMessageContaining("spool is full");
            // dropping a file frees its share
            FileSpool.Upload small = spool.receive(alice, "a4", "a4", 500, null);
            small.abort();
            assertThat(spool.receive(alice, "a5", "a5", 500, null).size()).isEqualTo(500);
        }
    }

    @Test
    void namesAreSanitised() throws Exception {
        assertThat(FileNames.sanitise("../../etc/passwd")).isEqualTo("passwd");
        assertThat(FileNames.sanitise("..\\..\\windows\\win.ini")).isEqualTo("win.ini");
        assertThat(FileNames.sanitise("evil\u0000na\nme\u0007.txt")).isEqualTo("evilname.txt");
        assertThat(FileNames.sanitise("invoice\u202Egnp.exe")).isEqualTo("invoicegnp.exe");
        assertThat(FileNames.sanitise("")).isEqualTo("file");
        assertThat(FileNames.sanitise("   ")).isEqualTo("file");
        assertThat(FileNames.sanitise("..")).isEqualTo("file");
        assertThat(FileNames.sanitise(null)).isEqualTo("file");
        assertThat(FileNames.sanitise(".bashrc")).isEqualTo("bashrc");
        assertThat(FileNames.sanitise("a:b|c?.txt")).isEqualTo("a_b_c_.txt");
        assertThat(FileNames.sanitise("CON.txt")).isEqualTo("_CON.txt");
        assertThat(FileNames.sanitise("two   spaces\tand tab.md"))
                .isEqualTo("two spaces and tab.md");
        String longName = "x".repeat(500) + ".tar.gz";
        String cut = FileNames.sanitise(longName);
        assertThat(cut).hasSize(FileNames.MAX_LENGTH).endsWith(".gz");

        try (DiskFileSpool spool = spool()) {
            FileSpool.Upload up = spool.receive(alice, "p", "../../etc/passwd", 3, null);
            assertThat(up.name()).isEqualTo("passwd");
            up.write(0, new byte[] {1, 2, 3}, 0, 3);
            SpooledFile f = up.complete();
            assertThat(f.path().normalize()).startsWith(dir.resolve("spool"));
            assertThat(Files.exists(dir.resolve("etc"))).isFalse();
        }
    }

    @Test
    void rejectsBadHashAndClosedSpool() throws Exception {
        DiskFileSpool spool = spool();
        assertThatThrownBy(() -> spool.receive(alice, "h", "x", 1, "not-a-hash"))
                .hasMessageContaining("sha256");
        spool.close();
        assertThatThrownBy(() -> spool.receive(alice, "h", "x", 1, null))
                .hasMessageContaining("closed");
    }
}
