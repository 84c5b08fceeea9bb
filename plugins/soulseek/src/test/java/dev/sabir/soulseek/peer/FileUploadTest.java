package dev.sabir.soulseek.peer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sabir.api.Address;
import dev.sabir.api.Delivery;
import dev.sabir.api.FileOffer;
import dev.sabir.api.FileProgress;
import dev.sabir.api.FileSpool;
import dev.sabir.api.Sender;
import dev.sabir.soulseek.SoulseekConnector;
import dev.sabir.soulseek.client.ClientSession;
import dev.sabir.soulseek.codec.PeerEncoder;
import dev.sabir.soulseek.codec.PeerInitMessage;
import dev.sabir.soulseek.codec.PeerMessage;
import dev.sabir.soulseek.codec.PeerMessageDecoder;
import dev.sabir.soulseek.codec.ServerMessages;
import dev.sabir.soulseek.codec.SlskLimits;
import dev.sabir.soulseek.server.ServerSession;
import dev.sabir.soulseek.support.Events;
import dev.sabir.soulseek.support.Fixtures;
import dev.sabir.soulseek.support.LiteHost;
import dev.sabir.soulseek.support.RawClient;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A FileOffer delivered to a Soulseek user becomes a peer upload: TransferRequest / TransferReply
 * on a P connection, then an F connection with the ticket, the downloader's resume offset and the
 * bytes. The downloader here is a raw socket peer speaking the wire protocol.
 */
class FileUploadTest {
    @TempDir Path tmp;
    LiteHost host;
    ServerSession server;
    int port;
    final Events events = new Events();
    final byte[] content = new byte[100_000];

    @BeforeEach
    void start() throws Exception {
        new Random(7).nextBytes(content);
        host = new LiteHost(tmp);
        port = Fixtures.freePort();
        server =
                (ServerSession)
                        new SoulseekConnector().open(Fixtures.server("srv", port), host, events);
        server.connect().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        host.close();
    }

    /** Accepts the P and F connections like a downloading client, resuming at {@code offset}. */
    private CompletableFuture<byte[]> downloader(
            ServerSocket listener, long offset, String[] seenName) {
        return CompletableFuture.supplyAsync(
                () -> {
                    try (Socket p = listener.accept()) {
                        p.setSoTimeout(10_000);
                        DataInputStream in = new DataInputStream(p.getInputStream());
                        PeerInitMessage init = PeerEncoder.decodeInit(frame(in), SlskLimits.CLIENT);
                        assertThat(init).isInstanceOf(PeerInitMessage.PeerInit.class);
                        assertThat(((PeerInitMessage.PeerInit) init).type()).isEqualTo("P");
                        PeerMessage req =
                                PeerMessageDecoder.decodeFrame(frame(in), SlskLimits.CLIENT);
                        PeerMessage.TransferRequest tr = (PeerMessage.TransferRequest) req;
                        assertThat(tr.direction()).isEqualTo(PeerMessage.TransferRequest.UPLOAD);
                        seenName[0] = tr.filename();
                        assertThat(tr.size()).isEqualTo(content.length);
                        write(
                                p.getOutputStream(),
                                b ->
                                        PeerEncoder.encodePeer(
                                                PeerMessage.TransferReply.allow(tr.ticket(), -1),
                                                b));
                        try (Socket f = listener.accept()) {
                            f.setSoTimeout(10_000);
                            DataInputStream fin = new DataInputStream(f.getInputStream());
                            PeerInitMessage finit =
                                    PeerEncoder.decodeInit(frame(fin), SlskLimits.CLIENT);
                            assertThat(((PeerInitMessage.PeerInit) finit).type()).isEqualTo("F");
                            int ticket = Integer.reverseBytes(fin.readInt());
                            assertThat(ticket).isEqualTo(tr.ticket());
                            write(f.getOutputStream(), b -> b.writeLongLE(offset));
                            return fin.readAllBytes();
                        }
                    } catch (IOException e) {
                        throw new RuntimeException(e);
                    }
                });
    }

    private static ByteBuf frame(DataInputStream in) throws IOException {
        int len = Integer.reverseBytes(in.readInt());
        byte[] b = new byte[len];
        in.readFully(b);
        return Unpooled.wrappedBuffer(b);
    }

    private static void write(OutputStream out, java.util.function.Consumer<ByteBuf> w)
            throws IOException {
        ByteBuf b = Unpooled.buffer();
        w.accept(b);
        out.write(ByteBufUtil.getBytes(b));
        out.flush();
    }

    @Test
    void clientModeUploadsAndResumesFromTheRequestedOffset() throws Exception {
        FileSpool.SpooledFile file = host.spool().add("song.flac", content);
        try (ServerSocket listener =
                        new ServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress());
                RawClient bob =
                        RawClient.login(new InetSocketAddress("127.0.0.1", port), "bob", "pw")) {
            bob.send(ServerMessages.setListenPort(listener.getLocalPort()));
            bob.send(new dev.sabir.soulseek.codec.ServerMessage.GetUserStatus("bob"));
            bob.expect(dev.sabir.soulseek.codec.ServerMessage.UserStatus.class, x -> true);
            Events a = new Events();
            ClientSession alice =
                    (ClientSession)
                            new SoulseekConnector()
                                    .open(
                                            Fixtures.client(
                                                    "c-alice", port, "alice", "pw", List.of()),
                                            host,
                                            a);
            try {
                alice.connect().toCompletableFuture().get(5, TimeUnit.SECONDS);
                String[] name = new String[1];
                CompletableFuture<byte[]> got = downloader(listener, 1000, name);
                Address to = Address.parse("soulseek:c-alice/user:bob");
                FileOffer offer =
                        new FileOffer(
                                to,
                                Sender.of("zed"),
                                "o1",
                                "song.flac",
                                content.length,
                                file.sha256(),
                                null,
                                file.spoolId());
                String ticket =
                        alice.deliver(new Delivery(9, to, offer, Address.parse("irc:x/#y"), ""))
                                .toCompletableFuture()
                                .get(10, TimeUnit.SECONDS);
                byte[] bytes = got.get(15, TimeUnit.SECONDS);
                assertThat(name[0]).isEqualTo("song.flac");
                assertThat(bytes).isEqualTo(Arrays.copyOfRange(content, 1000, content.length));
                FileProgress done =
                        a.await(FileProgress.class, p -> p.state() == FileProgress.State.COMPLETE);
                assertThat(done.offerId()).isEqualTo(ticket);
                assertThat(done.transferred()).isEqualTo(content.length);
            } finally {
                alice.close();
            }
        }
    }

    @Test
    void serverModeUploadsToALoggedInUser() throws Exception {
        FileSpool.SpooledFile file = host.spool().add("clip.bin", content);
        try (ServerSocket listener =
                        new ServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress());
                RawClient bob =
                        RawClient.login(new InetSocketAddress("127.0.0.1", port), "bob", "pw")) {
            bob.send(ServerMessages.setListenPort(listener.getLocalPort()));
            bob.send(new dev.sabir.soulseek.codec.ServerMessage.GetUserStatus("bob"));
            bob.expect(dev.sabir.soulseek.codec.ServerMessage.UserStatus.class, x -> true);
            String[] name = new String[1];
            CompletableFuture<byte[]> got = downloader(listener, 0, name);
            Address to = Address.parse("soulseek:srv/user:bob");
            FileOffer offer =
                    new FileOffer(
                            to,
                            Sender.of("zed"),
                            "o2",
                            "clip.bin",
                            content.length,
                            file.sha256(),
                            null,
                            file.spoolId());
            server.deliver(new Delivery(10, to, offer, Address.parse("irc:x/#y"), ""))
                    .toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);
            assertThat(got.get(15, TimeUnit.SECONDS)).isEqualTo(content);
            events.await(FileProgress.class, p -> p.state() == FileProgress.State.COMPLETE);
        }
    }
}
