package dev.sabir.simplex;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** Base of the group tests: alice (owning group {@code team}), bob, carol and dave, started. */
abstract class FourPeers {
    @TempDir Path dir;
    EventLoopGroup loops;
    Peer a;
    Peer b;
    Peer c;
    Peer d;

    @BeforeEach
    void startFour() throws Exception {
        loops = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        a = new Peer("alice", loops, dir, List.of("team")).start();
        b = new Peer("bob", loops, dir, List.of()).start();
        c = new Peer("carol", loops, dir, List.of()).start();
        d = new Peer("dave", loops, dir, List.of()).start();
    }

    @AfterEach
    void stopFour() throws Exception {
        for (Peer p : List.of(a, b, c, d)) {
            p.stop();
            p.host.close();
        }
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
}
