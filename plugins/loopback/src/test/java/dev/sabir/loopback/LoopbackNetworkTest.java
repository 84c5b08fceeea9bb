package dev.sabir.loopback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.sabir.api.AccountConfig;
import dev.sabir.api.Address;
import dev.sabir.api.ChatMessage;
import dev.sabir.api.Delivery;
import dev.sabir.api.DeliveryException;
import dev.sabir.api.FileOffer;
import dev.sabir.api.InvalidConfigException;
import dev.sabir.api.Sender;
import dev.sabir.api.Session;
import dev.sabir.testkit.RecordingSink;
import dev.sabir.testkit.TestHost;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The loopback network as its clients see it. */
class LoopbackNetworkTest {
    @TempDir Path dir;
    private TestHost host;
    private RecordingSink sink;
    private Session session;
    private int port;

    @BeforeEach
    void start() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        host = new TestHost(dir);
        sink = new RecordingSink();
        session =
                new LoopbackConnector()
                        .open(
                                new AccountConfig(
                                        "net",
                                        "loopback",
                                        true,
                                        Map.of("listen", "127.0.0.1:" + port, "relay", "puppet")),
                                host,
                                sink);
        session.connect().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() {
        session.close();
        host.close();
    }

    private final class Client implements AutoCloseable {
        final Socket socket;
        final BufferedReader in;
        final PrintWriter out;

        Client(String nick) throws Exception {
            socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(5000);
            in =
                    new BufferedReader(
                            new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            out = new PrintWriter(socket.getOutputStream(), true, StandardCharsets.UTF_8);
            say("NICK " + nick);
            assertThat(in.readLine()).isEqualTo("OK " + nick);
        }

        void say(String line) {
            out.print(line + "\n");
            out.flush();
        }

        String await(String prefix) throws Exception {
            String l;
            while ((l = in.readLine()) != null) {
                if (l.startsWith(prefix)) {
                    return l;
                }
            }
            throw new AssertionError("connection closed before " + prefix);
        }

        @Override
        public void close() throws Exception {
            socket.close();
        }
    }

    @Test
    void clientMessagesBecomeEventsAndDeliveriesReachClients() throws Exception {
        try (Client alice = new Client("alice");
                Client bob = new Client("bob")) {
            alice.say("JOIN lobby");
            alice.await("JOIN lobby alice");
            bob.say("JOIN lobby");
            alice.await("JOIN lobby bob");
            alice.say("MSG lobby hello\\nworld");
            String ok = alice.await("OK ");
            ChatMessage m = sink.awaitText("hello", Duration.ofSeconds(5));
            assertThat(m.text()).isEqualTo("hello\nworld");
            assertThat(m.sender().nick()).isEqualTo("alice");
            assertThat(m.id()).isEqualTo(ok.substring(3));
            assertThat(bob.await("MSG lobby")).endsWith("alice hello\\nworld");

            Address room = Address.parse("loopback:net/lobby");
            ChatMessage remote = ChatMessage.of(room, Sender.of("x", "carol"), "r1", "hi there");
            String id =
                    session.deliver(
                                    new Delivery(
                                            1,
                                            room,
                                            remote,
                                            Address.parse("irc:libera/#c"),
                                            "<carol@irc> hi there"))
                            .toCompletableFuture()
                            .get(5, TimeUnit.SECONDS);
            assertThat(bob.await("MSG lobby " + id))
                    .isEqualTo("MSG lobby " + id + " carol@irc hi there");
        }
    }

    @Test
    void malformedClientIsDroppedOthersStay() throws Exception {
        try (Client good = new Client("good");
                Client bad = new Client("bad")) {
            good.say("JOIN lobby");
            good.await("JOIN lobby good");
            bad.say("MSG lobby not joined");
            assertThat(bad.await("ERROR")).contains("not in room");
            assertThat(bad.in.readLine()).isNull();
            good.say("MSG lobby still here");
            assertThat(sink.awaitText("still here", Duration.ofSeconds(5)).sender().nick())
                    .isEqualTo("good");
        }
    }

    @Test
    void uploadedFileIsSpooledAndOffered() throws Exception {
        try (Client alice = new Client("alice")) {
            alice.say("JOIN lobby");
            byte[] content = "file body".getBytes(StandardCharsets.UTF_8);
            alice.say("FILE lobby notes.txt " + Base64.getEncoder().encodeToString(content));
            FileOffer offer = sink.awaitEvent(FileOffer.class, f -> true, Duration.ofSeconds(5));
            assertThat(offer.name()).isEqualTo("notes.txt");
            assertThat(offer.size()).isEqualTo(content.length);
            assertThat(Files.readAllBytes(host.spool().find(offer.spoolId()).orElseThrow().path()))
                    .isEqualTo(content);
        }
    }

    @Test
    void filesForTheAccountAreOffersInTheSendersConversationAndGoBackToOneUser() throws Exception {
        try (Client bob = new Client("bob");
                Client carol = new Client("carol")) {
            byte[] content = "just for the bridge".getBytes(StandardCharsets.UTF_8);
            bob.say("FILE @sabir memo.txt " + Base64.getEncoder().encodeToString(content));
            bob.await("OK ");
            FileOffer offer = sink.awaitEvent(FileOffer.class, f -> true, Duration.ofSeconds(5));
            assertThat(offer.conversation()).isEqualTo(Address.parse("loopback:net/@bob"));
            assertThat(offer.sender().nick()).isEqualTo("bob");
            assertThat(Files.readAllBytes(host.spool().find(offer.spoolId()).orElseThrow().path()))
                    .isEqualTo(content);
            bob.say("FILE @carol memo.txt " + Base64.getEncoder().encodeToString(content));
            assertThat(bob.await("NOSUCHNICK")).isEqualTo("NOSUCHNICK carol");

            Address toCarol = Address.parse("loopback:net/@carol");
            FileOffer back =
                    new FileOffer(
                            toCarol,
                            Sender.of("x", "xena"),
                            "f1",
                            "reply.txt",
                            3,
                            null,
                            "text/plain",
                            null);
            session.deliver(new Delivery(2, toCarol, back, Address.parse("xmpp:gw/x"), ""))
                    .toCompletableFuture()
                    .get(5, TimeUnit.SECONDS);
            assertThat(carol.await("FILE ")).startsWith("FILE @carol ").contains(" reply.txt 3 ");
            bob.say("QUIT");
            Address toBob = Address.parse("loopback:net/@bob");
            await().atMost(Duration.ofSeconds(5))
                    .untilAsserted(
                            () ->
                                    assertThatThrownBy(
                                                    () ->
                                                            session.deliver(
                                                                            new Delivery(
                                                                                    3, toBob, back,
                                                                                    toCarol, ""))
                                                                    .toCompletableFuture()
                                                                    .get(5, TimeUnit.SECONDS))
                                            .hasCauseInstanceOf(DeliveryException.class));
        }
    }

    @Test
    void badConfigNamesTheKey() {
        Assertions.assertThatThrownBy(
                        () ->
                                new LoopbackConnector()
                                        .open(
                                                new AccountConfig(
                                                        "x",
                                                        "loopback",
                                                        true,
                                                        Map.of("listen", "nope")),
                                                host,
                                                sink))
                .isInstanceOf(InvalidConfigException.class)
                .satisfies(e -> assertThat(((InvalidConfigException) e).key()).isEqualTo("listen"));
    }

    @Test
    void directMessagesToTheAccountAreBridgedPerSenderAndOthersStayLocal() throws Exception {
        try (Client bob = new Client("bob");
                Client carol = new Client("carol")) {
            bob.say("DM sabir hi bridge");
            bob.await("OK ");
            ChatMessage m = sink.awaitText("hi bridge", Duration.ofSeconds(5));
            assertThat(m.conversation()).isEqualTo(Address.parse("loopback:net/@bob"));
            assertThat(m.sender().id()).isEqualTo("@bob");

            bob.say("DM carol just between us");
            assertThat(carol.await("DM ")).endsWith(" bob just between us");
            bob.say("DM nobody hello?");
            assertThat(bob.await("NOSUCHNICK")).isEqualTo("NOSUCHNICK nobody");
            assertThat(sink.messages()).noneMatch(x -> x.text().contains("between us"));

            Address toBob = Address.parse("loopback:net/@bob");
            session.deliver(
                            new Delivery(
                                    7,
                                    toBob,
                                    ChatMessage.of(toBob, Sender.of("x", "xena"), "r9", "answer"),
                                    Address.parse("xmpp:gw/x"),
                                    "answer"))
                    .toCompletableFuture()
                    .get(5, TimeUnit.SECONDS);
            assertThat(bob.await("DM ")).endsWith(" xena@xmpp answer");

            Address toGone = Address.parse("loopback:net/@gone");
            assertThat(
                            session.deliver(
                                            new Delivery(
                                                    8,
                                                    toGone,
                                                    ChatMessage.of(
                                                            toGone,
                                                            Sender.of("x", "xena"),
                                                            "r10",
                                                            "lost?"),
                                                    Address.parse("xmpp:gw/x"),
                                                    "lost?"))
                                    .toCompletableFuture())
                    .failsWithin(Duration.ofSeconds(5))
                    .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                    .satisfies(
                            e ->
                                    assertThat(
                                                    ((dev.sabir.api.DeliveryException) e.getCause())
                                                            .retryable())
                                            .isTrue());
        }
    }
}
