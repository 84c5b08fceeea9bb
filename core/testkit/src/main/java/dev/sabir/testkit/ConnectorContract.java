package dev.sabir.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sabir.api.Address;
import dev.sabir.api.ChatMessage;
import dev.sabir.api.Delivery;
import dev.sabir.api.Sender;
import dev.sabir.api.Session;
import dev.sabir.api.SessionState;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract every protocol plugin's connector passes: connect, join, deliver, echo suppression,
 * bad input does not hurt other sessions, close releases resources. A plugin's test extends this
 * class and supplies a {@link ContractFixture}.
 */
public abstract class ConnectorContract {
    /** How long each step may take. */
    protected static final Duration STEP = Duration.ofSeconds(20);

    private static final AtomicLong DELIVERY_IDS = new AtomicLong(1_000_000);
    private static final Address SOURCE = new Address("loopback", "contract", "room");

    @TempDir Path tempDir;

    private EventLoopGroup loops;
    private ContractFixture fixture;
    private TestHost hostA;
    private TestHost hostB;
    private Session first;
    private Session second;
    private RecordingSink sinkA;
    private RecordingSink sinkB;
    private Set<Thread> threadsBefore;

    /** Creates the fixture (start servers, pick ports) for one test. */
    protected abstract ContractFixture createFixture(Path tempDir) throws Exception;

    @BeforeEach
    void openSessions() throws Exception {
        loops = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        fixture = createFixture(tempDir);
        threadsBefore = Set.copyOf(Thread.getAllStackTraces().keySet());
        hostA = new TestHost(tempDir.resolve("a"), loops);
        hostB = new TestHost(tempDir.resolve("b"), loops);
        sinkA = new RecordingSink();
        sinkB = new RecordingSink();
        first = fixture.connector().open(fixture.first(), hostA, sinkA);
        second = fixture.connector().open(fixture.second(), hostB, sinkB);
        first.connect().toCompletableFuture().get(STEP.toSeconds(), TimeUnit.SECONDS);
        second.connect().toCompletableFuture().get(STEP.toSeconds(), TimeUnit.SECONDS);
        first.join(fixture.conversationOnFirst())
                .toCompletableFuture()
                .get(STEP.toSeconds(), TimeUnit.SECONDS);
        second.join(fixture.conversationOnSecond())
                .toCompletableFuture()
                .get(STEP.toSeconds(), TimeUnit.SECONDS);
    }

    @AfterEach
    void closeAll() throws Exception {
        if (first != null) {
            first.close();
        }
        if (second != null) {
            second.close();
        }
        if (fixture != null) {
            fixture.close();
        }
        if (hostA != null) {
            hostA.close();
            hostB.close();
        }
        if (loops != null) {
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /** Sends a message into the first account's conversation, as the router would. */
    protected String deliverFromFirst(String text) throws Exception {
        Address dest = fixture.conversationOnFirst();
        ChatMessage msg =
                ChatMessage.of(
                        dest, Sender.of("tester", "tester"), UUID.randomUUID().toString(), text);
        Delivery d =
                new Delivery(
                        DELIVERY_IDS.incrementAndGet(),
                        dest,
                        msg,
                        SOURCE,
                        "<tester@loopback> " + text);
        return first.deliver(d).toCompletableFuture().get(STEP.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void bothSessionsReportOnline() {
        sinkA.awaitState(SessionState.State.ONLINE, STEP);
        sinkB.awaitState(SessionState.State.ONLINE, STEP);
        assertThat(sinkA.events().get(0)).isInstanceOf(SessionState.class);
    }

    @Test
    void deliveredMessageReachesTheOtherAccount() throws Exception {
        sinkA.awaitState(SessionState.State.ONLINE, STEP);
        sinkB.awaitState(SessionState.State.ONLINE, STEP);
        String token = "contract-" + UUID.randomUUID();
        deliverFromFirst("hello " + token);
        ChatMessage got = sinkB.awaitText(token, STEP);
        assertThat(got.sender().self()).isFalse();
        assertThat(got.conversation().sameAccount(fixture.conversationOnSecond())).isTrue();
        assertThat(got.conversation().id()).isEqualTo(fixture.conversationOnSecond().id());
    }

    @Test
    void ownMessageIsNotReportedBackAsSomeoneElses() throws Exception {
        sinkA.awaitState(SessionState.State.ONLINE, STEP);
        sinkB.awaitState(SessionState.State.ONLINE, STEP);
        String token = "echo-" + UUID.randomUUID();
        deliverFromFirst(token);
        sinkB.awaitText(token, STEP);
        // a second message proves the first account has seen the traffic after the echo
        String later = "after-" + UUID.randomUUID();
        deliverFromFirst(later);
        sinkB.awaitText(later, STEP);
        Thread.sleep(300);
        assertThat(sinkA.messages())
                .filteredOn(m -> m.text().contains(token) && !m.sender().self())
                .as("the first account's own message came back as a remote message")
                .isEmpty();
    }

    @Test
    void garbageDoesNotHurtOtherSessions() throws Exception {
        sinkA.awaitState(SessionState.State.ONLINE, STEP);
        sinkB.awaitState(SessionState.State.ONLINE, STEP);
        fixture.sendGarbage();
        String token = "survived-" + UUID.randomUUID();
        deliverFromFirst(token);
        assertThat(sinkB.awaitText(token, STEP).sender().self()).isFalse();
    }

    @Test
    void closeReleasesEverything() throws Exception {
        sinkA.awaitState(SessionState.State.ONLINE, STEP);
        sinkB.awaitState(SessionState.State.ONLINE, STEP);
        first.close();
        second.close();
        first.close(); // idempotent
        Address dest = fixture.conversationOnFirst();
        Delivery late =
                new Delivery(
                        DELIVERY_IDS.incrementAndGet(),
                        dest,
                        ChatMessage.of(dest, Sender.of("tester"), "late", "late"),
                        SOURCE,
                        "late");
        assertThatThrownBy(() -> first.deliver(late).toCompletableFuture().get(5, TimeUnit.SECONDS))
                .as("deliver after close must fail");
        long deadline = System.nanoTime() + STEP.toNanos();
        while (System.nanoTime() < deadline && (hostA.liveTasks() + hostB.liveTasks() > 0)) {
            Thread.sleep(50);
        }
        assertThat(hostA.liveTasks() + hostB.liveTasks())
                .as("scheduled tasks left after close")
                .isZero();
        Set<String> leaked = Set.of();
        while (System.nanoTime() < deadline) {
            leaked = leakedThreads();
            if (leaked.isEmpty()) {
                break;
            }
            Thread.sleep(50);
        }
        assertThat(leaked).as("threads started by the sessions and still alive").isEmpty();
    }

    private Set<String> leakedThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .filter(t -> !threadsBefore.contains(t))
                .map(Thread::getName)
                .filter(n -> !n.startsWith("testhost-") && !n.contains("ForkJoinPool"))
                .filter(
                        n ->
                                !n.startsWith("multiThreadIoEventLoopGroup")
                                        && !n.startsWith("nioEventLoop"))
                .filter(
                        n ->
                                !n.startsWith("globalEventExecutor")
                                        && !n.startsWith("process reaper"))
                .filter(
                        n ->
                                !n.startsWith("junit")
                                        && !n.startsWith("Attach")
                                        && !n.startsWith("Common-Cleaner"))
                .collect(Collectors.toSet());
    }
}
