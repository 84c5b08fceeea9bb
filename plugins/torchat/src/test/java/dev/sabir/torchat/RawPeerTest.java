package dev.sabir.torchat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sabir.api.ChatMessage;
import dev.sabir.api.FileOffer;
import dev.sabir.api.PresenceUpdate;
import dev.sabir.api.ProfileUpdate;
import dev.sabir.torchat.BuddyProfile.BuddyKind;
import dev.sabir.torchat.codec.TorChatPackets;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A peer on plain sockets that behaves like the deployed clients: trailing spaces, its pong
 * withheld until it is itself verified, file packets sent on the socket the other side opened
 * (Python), and it treats any byte on the socket it opened as a fault.
 */
class RawPeerTest {
    static final String RAW = Node.idFor("rawpeer");
    @TempDir Path dir;
    EventLoopGroup loops;
    ServerSocket rawListener;
    Node sam;

    @BeforeEach
    void start() throws Exception {
        loops = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        rawListener = new ServerSocket(0);
        sam = new Node("sam", dir, loops);
        sam.set("peers", java.util.Map.of(RAW, "127.0.0.1:" + rawListener.getLocalPort()));
        sam.set("max_line", 8192).set("keepalive_ms", 300).set("handshake_timeout_ms", 3000);
    }

    @AfterEach
    void stop() throws IOException {
        sam.close();
        rawListener.close();
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** The two sockets of a verified raw peer. */
    record Conn(Socket out, Socket in, String samCookie) {}

    private Conn handshake() throws Exception {
        Socket out = new Socket("127.0.0.1", sam.port);
        out.setSoTimeout(10_000);
        write(out, "ping " + RAW + " rawcookie123\n");
        rawListener.setSoTimeout(10_000);
        Socket in = rawListener.accept();
        in.setSoTimeout(10_000);
        String ping = readLine(in);
        assertThat(ping).startsWith("ping " + sam.id + " ");
        // sam answers at once on its own socket, although we have not ponged yet
        assertThat(readLine(in)).isEqualTo("pong rawcookie123");
        String cookie = ping.split(" ")[2];
        write(out, "pong " + cookie + "\n");
        return new Conn(out, in, cookie);
    }

    @Test
    void talksToADeployedStylePeer() throws Exception {
        sam.start();
        Conn c = handshake();
        List<String> intro = readUntil(c.in(), l -> l.startsWith("status "));
        assertThat(intro).contains("client Sabir", "status available");
        assertThat(intro).anyMatch(l -> l.startsWith("supports ") && l.contains("groupchat"));
        assertThat(intro).doesNotContain("add_me"); // we are a temporary buddy for sam

        write(
                c.out(),
                "add_me \nstatus away \nprofile_name Raw Peer\nprofile_text \nmessage hello from raw\n");
        ChatMessage m = sam.sink.awaitMessage(x -> x.text().equals("hello from raw"), Node.WAIT);
        assertThat(m.sender().nick()).isEqualTo("Raw Peer");
        assertThat(
                        sam.sink
                                .awaitEvent(
                                        PresenceUpdate.class,
                                        p -> p.who().id().equals(RAW),
                                        Node.WAIT)
                                .status())
                .isEqualTo(PresenceUpdate.Status.AWAY);
        assertThat(sam.session.buddyKind(RAW)).contains(BuddyKind.PERMANENT);

        // file packets on the socket sam opened, like the Python client; one damaged block
        byte[] file = "0123456789abcdef\r\n\\n".getBytes(StandardCharsets.ISO_8859_1);
        byte[] b0 = java.util.Arrays.copyOfRange(file, 0, 8);
        byte[] b1 = java.util.Arrays.copyOfRange(file, 8, 16);
        byte[] b2 = java.util.Arrays.copyOfRange(file, 16, file.length);
        writeBytes(c.in(), "filename f1 " + file.length + " 8 notes.txt\n");
        writeBytes(c.in(), TorChatPackets.encode(TorChatPackets.filedata("f1", 0, b0)));
        writeBytes(
                c.in(),
                TorChatPackets.encode(
                        new dev.sabir.torchat.codec.TorChatPacket.Filedata(
                                "f1", 8, "00000000000000000000000000000000", b1)));
        assertThat(readUntil(c.in(), l -> l.startsWith("filedata_error")))
                .contains("filedata_ok f1 0", "filedata_error f1 8");
        writeBytes(c.in(), TorChatPackets.encode(TorChatPackets.filedata("f1", 8, b1)));
        writeBytes(c.in(), TorChatPackets.encode(TorChatPackets.filedata("f1", 16, b2)));
        assertThat(readUntil(c.in(), l -> l.equals("filedata_ok f1 16")))
                .contains("filedata_ok f1 8");
        FileOffer offer =
                sam.sink.awaitEvent(FileOffer.class, o -> o.offerId().equals("f1"), Node.WAIT);
        assertThat(offer.sha256())
                .isEqualTo(
                        HexFormat.of()
                                .formatHex(MessageDigest.getInstance("SHA-256").digest(file)));
        assertThat(offer.name()).isEqualTo("notes.txt");

        write(c.out(), "foo_bar baz\n");
        assertThat(readUntil(c.in(), l -> l.startsWith("not_implemented")))
                .contains("not_implemented foo_bar");

        // keepalive status arrives again on its own
        assertThat(readUntil(c.in(), l -> l.startsWith("status "))).isNotEmpty();

        // nothing ever arrived on the socket the raw peer opened
        c.out().setSoTimeout(300);
        assertThatThrownBy(() -> c.out().getInputStream().read())
                .isInstanceOf(SocketTimeoutException.class);
        c.out().close();
        c.in().close();
    }

    @Test
    void profilesAndAvatarsTravelBothWays() throws Exception {
        sam.set("max_line", 65536);
        sam.start();
        Conn c = handshake();
        readUntil(c.in(), l -> l.startsWith("status "));

        // a 64x64 avatar: red left half, blue right half, the top rows half transparent
        byte[] rgb = new byte[Avatars.RGB_BYTES];
        byte[] alpha = new byte[Avatars.ALPHA_BYTES];
        for (int i = 0; i < 64 * 64; i++) {
            boolean left = i % 64 < 32;
            rgb[3 * i] = (byte) (left ? 255 : 0);
            rgb[3 * i + 2] = (byte) (left ? 0 : 255);
            alpha[i] = (byte) (i / 64 < 8 ? 128 : 255);
        }
        write(c.out(), "add_me \nstatus available\nprofile_name Raw Peer\nprofile_text about me\n");
        writeBytes(c.out(), TorChatPackets.encode(TorChatPackets.profileAvatarAlpha(alpha)));
        writeBytes(c.out(), TorChatPackets.encode(TorChatPackets.profileAvatar(rgb)));

        ProfileUpdate p =
                sam.sink.awaitEvent(ProfileUpdate.class, ProfileUpdate::hasAvatar, Node.WAIT);
        assertThat(p.conversation()).isEqualTo(Deliveries.conv(sam, RAW));
        assertThat(p.who().id()).isEqualTo(RAW);
        assertThat(p.displayName()).isEqualTo("Raw Peer");
        assertThat(p.text()).isEqualTo("about me");
        assertThat(p.avatarType()).isEqualTo("image/png");
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(p.avatar()));
        assertThat(img.getWidth()).isEqualTo(64);
        assertThat(img.getHeight()).isEqualTo(64);
        assertThat(img.getRGB(0, 0)).isEqualTo(0x80ff0000);
        assertThat(img.getRGB(63, 63)).isEqualTo(0xff0000ff);
        assertThat(img.getRGB(40, 20)).isEqualTo(0xff0000ff);
        // the same profile again is not reported twice
        int before = sam.sink.events().size();
        writeBytes(c.out(), TorChatPackets.encode(TorChatPackets.profileAvatar(rgb)));
        write(c.out(), "message marker\n");
        sam.sink.awaitMessage(m -> m.text().equals("marker"), Node.WAIT);
        assertThat(sam.sink.events().subList(before, sam.sink.events().size()))
                .noneMatch(e -> e instanceof ProfileUpdate);

        // a profile delivered into the buddy's conversation becomes ours, scaled to 64x64
        BufferedImage green = new BufferedImage(100, 80, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 80; y++) {
            for (int x = 0; x < 100; x++) {
                green.setRGB(x, y, 0x00ff00);
            }
        }
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(green, "png", png);
        sam.session
                .deliver(
                        Deliveries.of(
                                sam,
                                RAW,
                                new ProfileUpdate(
                                        Deliveries.conv(sam, RAW),
                                        dev.sabir.api.Sender.of("xmpp-user", "Mallory"),
                                        "Mallory",
                                        "from elsewhere",
                                        png.toByteArray(),
                                        "image/png")))
                .toCompletableFuture()
                .get(Node.WAIT.toSeconds(), TimeUnit.SECONDS);
        List<byte[]> lines = new ArrayList<>();
        while (lines.isEmpty() || !startsWith(lines.get(lines.size() - 1), "profile_avatar ")) {
            lines.add(readRawLine(c.in()));
            assertThat(lines).hasSizeLessThan(50);
        }
        List<String> text = lines.stream().map(b -> new String(b, StandardCharsets.UTF_8)).toList();
        assertThat(text).contains("profile_name Mallory", "profile_text from elsewhere");
        assertThat(text).anyMatch(l -> l.startsWith("profile_avatar_alpha"));
        var avatar =
                (dev.sabir.torchat.codec.TorChatPacket.ProfileAvatar)
                        TorChatPackets.parse(lines.get(lines.size() - 1));
        byte[] got = avatar.rgb();
        assertThat(got).hasSize(Avatars.RGB_BYTES);
        for (int i = 0; i < 64 * 64; i += 97) {
            assertThat(new int[] {got[3 * i] & 0xff, got[3 * i + 1] & 0xff, got[3 * i + 2] & 0xff})
                    .containsExactly(0, 255, 0);
        }
        c.out().close();
        c.in().close();
    }

    @Test
    void silentPeerIsDropped() throws Exception {
        sam.set("silence_ms", 800).set("keepalive_ms", 60_000);
        sam.start();
        Conn c = handshake();
        readUntil(c.in(), l -> l.startsWith("status "));
        assertThat(
                        sam.sink.awaitEvent(
                                PresenceUpdate.class,
                                p -> p.status() == PresenceUpdate.Status.OFFLINE,
                                Node.WAIT))
                .isNotNull();
        assertThat(readToEnd(c.in())).isTrue();
    }

    @Test
    void garbageBeforePingIsDisconnected() throws Exception {
        sam.start();
        try (Socket s = new Socket("127.0.0.1", sam.port)) {
            s.setSoTimeout(10_000);
            write(s, "hello there\n");
            assertThat(readToEnd(s)).isTrue();
        }
        try (Socket s = new Socket("127.0.0.1", sam.port)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(new byte[] {(byte) 0xff, 0, 1, '\n'});
            assertThat(readToEnd(s)).isTrue();
        }
        try (Socket s = new Socket("127.0.0.1", sam.port)) {
            s.setSoTimeout(10_000);
            write(s, "ping not-an-onion-id cookie\n");
            assertThat(readToEnd(s)).isTrue();
        }
    }

    @Test
    void overlongLineIsDisconnected() throws Exception {
        sam.start();
        Conn c = handshake();
        readUntil(c.in(), l -> l.startsWith("status "));
        write(c.out(), "message " + "x".repeat(20_000) + "\n");
        assertThat(
                        sam.sink.awaitEvent(
                                PresenceUpdate.class,
                                p -> p.status() == PresenceUpdate.Status.OFFLINE,
                                Node.WAIT))
                .isNotNull();
        assertThat(readToEnd(c.in())).isTrue();
    }

    @Test
    void wrongCookieIsDisconnected() throws Exception {
        sam.start();
        Socket out = new Socket("127.0.0.1", sam.port);
        out.setSoTimeout(10_000);
        write(out, "ping " + RAW + " c1\n");
        rawListener.setSoTimeout(10_000);
        try (Socket in = rawListener.accept()) {
            in.setSoTimeout(10_000);
            readLine(in);
            write(out, "pong wrong-cookie\n");
            assertThat(readToEnd(out)).isTrue();
            assertThat(readToEnd(in)).isTrue();
        }
        out.close();
        assertThat(sam.sink.messages()).isEmpty();
    }

    @Test
    void unverifiedConnectionTimesOut() throws Exception {
        sam.set("handshake_timeout_ms", 500);
        sam.start();
        try (Socket s = new Socket("127.0.0.1", sam.port)) {
            s.setSoTimeout(10_000);
            long t0 = System.nanoTime();
            assertThat(readToEnd(s)).isTrue(); // never sent a ping
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0))
                    .isGreaterThanOrEqualTo(400);
        }
    }

    // ---- socket helpers
    // ---------------------------------------------------------------------------

    private static void write(Socket s, String text) throws IOException {
        writeBytes(s, text.getBytes(StandardCharsets.UTF_8));
    }

    private static void writeBytes(Socket s, String text) throws IOException {
        write(s, text);
    }

    private static void writeBytes(Socket s, byte[] bytes) throws IOException {
        OutputStream o = s.getOutputStream();
        o.write(bytes);
        o.flush();
    }

    private static String readLine(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int c; (c = in.read()) != '\n'; ) {
            if (c < 0) {
                throw new IOException("closed after '" + b + "'");
            }
            b.write(c);
        }
        return b.toString(StandardCharsets.UTF_8);
    }

    private static byte[] readRawLine(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int c; (c = in.read()) != '\n'; ) {
            if (c < 0) {
                throw new IOException("closed");
            }
            b.write(c);
        }
        return b.toByteArray();
    }

    private static boolean startsWith(byte[] line, String prefix) {
        return new String(line, StandardCharsets.ISO_8859_1).startsWith(prefix);
    }

    private static List<String> readUntil(Socket s, java.util.function.Predicate<String> last)
            throws IOException {
        List<String> lines = new ArrayList<>();
        while (true) {
            String l = readLine(s);
            lines.add(l);
            if (last.test(l)) {
                return lines;
            }
            if (lines.size() > 1000) {
                throw new IOException("no matching line");
            }
        }
    }

    /** True when the other side closed the socket (reads past any remaining data). */
    private static boolean readToEnd(Socket s) throws IOException {
        try {
            InputStream in = s.getInputStream();
            byte[] buf = new byte[4096];
            while (in.read(buf) >= 0) {
                // drain
            }
            return true;
        } catch (java.net.SocketException e) {
            return true; // reset by peer counts as closed
        }
    }
}
