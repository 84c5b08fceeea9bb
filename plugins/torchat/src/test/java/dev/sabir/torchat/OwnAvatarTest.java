package dev.sabir.torchat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sabir.api.InvalidConfigException;
import dev.sabir.api.ProfileUpdate;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The account's own avatar from the {@code avatar} key reaches its buddies. */
class OwnAvatarTest {
    @TempDir Path dir;

    @Test
    void theConfiguredAvatarIsSentToBuddies() throws Exception {
        // 128x128, opaque blue on the left half, transparent on the right: scaled to 64x64
        BufferedImage img = new BufferedImage(128, 128, BufferedImage.TYPE_INT_ARGB);
        for (int y = 0; y < 128; y++) {
            for (int x = 0; x < 128; x++) {
                img.setRGB(x, y, x < 64 ? 0xff0000ff : 0x00000000);
            }
        }
        Path file = dir.resolve("me.png");
        ImageIO.write(img, "png", file.toFile());

        EventLoopGroup loops = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        try (Node alice = new Node("alice", dir, loops);
                Node bob = new Node("bob", dir, loops)) {
            alice.knows(bob).buddies(bob).set("name", "Alice").set("avatar", file.toString());
            bob.knows(alice);
            alice.start();
            bob.start();
            ProfileUpdate got =
                    bob.sink.awaitEvent(
                            ProfileUpdate.class,
                            p -> p.who().id().equals(alice.id) && p.hasAvatar(),
                            Node.WAIT);
            assertThat(got.displayName()).isEqualTo("Alice");
            BufferedImage back = ImageIO.read(new ByteArrayInputStream(got.avatar()));
            assertThat(back.getWidth()).isEqualTo(64);
            assertThat(back.getRGB(10, 32)).isEqualTo(0xff0000ff);
            assertThat(back.getRGB(54, 32) >>> 24).as("transparent half").isZero();
        } finally {
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void aFileThatIsNotAnImageIsAConfigErrorNamingTheKey() throws Exception {
        Path file = Files.writeString(dir.resolve("not.png"), "this is text");
        EventLoopGroup loops = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try (Node alice = new Node("alice", dir, loops)) {
            alice.set("avatar", file.toString());
            assertThatThrownBy(alice::start)
                    .isInstanceOfSatisfying(
                            InvalidConfigException.class,
                            e -> {
                                assertThat(e.key()).isEqualTo("avatar");
                                assertThat(e.getMessage()).contains("not.png");
                            });
            alice.set("avatar", dir.resolve("missing.png").toString());
            assertThatThrownBy(alice::start)
                    .isInstanceOfSatisfying(
                            InvalidConfigException.class,
                            e -> assertThat(e.getMessage()).contains("cannot read"));
        } finally {
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
