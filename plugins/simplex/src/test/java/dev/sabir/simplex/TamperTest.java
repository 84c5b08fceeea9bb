package dev.sabir.simplex;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sabir.simplex.transport.Blocks;
import dev.sabir.simplex.transport.Frame;
import dev.sabir.simplex.transport.FrameCodec;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A raw socket plays a forger: tampered, replayed and garbage blocks close the link; real traffic
 * goes on.
 */
class TamperTest {
    @TempDir Path dir;
    private EventLoopGroup loops;
    private Peer a;
    private Peer b;
    private byte[] queue;
    private long next;

    @BeforeEach
    void setUp() throws Exception {
        loops = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        a = new Peer("alice", loops, dir, List.of("team")).start();
        b = new Peer("bob", loops, dir, List.of()).start();
        b.session.acceptInvitation(a.session.createInvitation("team"));
        await().atMost(Duration.ofSeconds(10)).until(() -> b.members("team").contains("alice"));
        b.say("team", "first");
        await().atMost(Duration.ofSeconds(10)).until(() -> a.received("first") == 1);
        JsonNode conn =
                new ObjectMapper()
                        .readTree(a.host.store().list("conn/").values().iterator().next());
        queue = Base64.getUrlDecoder().decode(conn.get("myQueue").asText());
    }

    @AfterEach
    void tearDown() throws Exception {
        a.stop();
        b.stop();
        a.host.close();
        b.host.close();
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    private Socket open() throws Exception {
        Socket s = new Socket("127.0.0.1", a.port);
        s.setSoTimeout(5000);
        s.getOutputStream().write(FrameCodec.encode(new Frame.Hello(queue)));
        byte[] block = new byte[Blocks.SIZE];
        new DataInputStream(s.getInputStream()).readFully(block);
        next = ((Frame.Resume) FrameCodec.decode(block)).nextSeq();
        return s;
    }

    private static void assertClosedByPeer(Socket s) throws IOException {
        try {
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        } catch (java.net.SocketException reset) {
            // a reset also means the peer closed the link
        }
        s.close();
    }

    @Test
    void tamperedBlockIsRejectedAndTheLinkClosed() throws Exception {
        try (Socket s = open()) {
            byte[] forged = new byte[FrameCodec.SEALED];
            new Random(1).nextBytes(forged);
            s.getOutputStream().write(FrameCodec.encode(new Frame.Msg(queue, next, null, forged)));
            assertClosedByPeer(s);
        }
        await().atMost(Duration.ofSeconds(5))
                .until(() -> a.counter("simplex_blocks_rejected") == 1);
        assertThat(a.sink.messages()).hasSize(1);
        b.say("team", "still flowing");
        await().atMost(Duration.ofSeconds(10)).until(() -> a.received("still flowing") == 1);
    }

    @Test
    void replayedSequenceNumberIsRejected() throws Exception {
        try (Socket s = open()) {
            assertThat(next).isGreaterThan(0);
            byte[] any = new byte[FrameCodec.SEALED];
            s.getOutputStream().write(FrameCodec.encode(new Frame.Msg(queue, next - 1, null, any)));
            assertClosedByPeer(s);
        }
        b.say("team", "after replay");
        await().atMost(Duration.ofSeconds(10)).until(() -> a.received("after replay") == 1);
        assertThat(a.received("first")).isEqualTo(1);
    }

    @Test
    void garbageAndUnknownQueuesAreDisconnected() throws Exception {
        try (Socket s = new Socket("127.0.0.1", a.port)) {
            s.setSoTimeout(5000);
            byte[] junk = new byte[Blocks.SIZE];
            new Random(2).nextBytes(junk);
            s.getOutputStream().write(junk);
            assertClosedByPeer(s);
        }
        try (Socket s = new Socket("127.0.0.1", a.port)) {
            s.setSoTimeout(5000);
            s.getOutputStream().write(FrameCodec.encode(new Frame.Hello(new byte[16])));
            assertClosedByPeer(s);
        }
        b.say("team", "after garbage");
        await().atMost(Duration.ofSeconds(10)).until(() -> a.received("after garbage") == 1);
        // one rejected block per bad connection, none for the real traffic
        await().atMost(Duration.ofSeconds(5))
                .until(() -> a.counter("simplex_blocks_rejected") == 2);
        assertThat(b.counter("simplex_blocks_rejected")).isZero();
    }

    @Test
    void badInvitationsAreRefused() {
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> b.session.acceptInvitation("simplex:/group#AAAA"))
                .isInstanceOf(RuntimeException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> b.session.acceptInvitation("hello"))
                .isInstanceOf(IllegalArgumentException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> a.session.createInvitation("nope"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
