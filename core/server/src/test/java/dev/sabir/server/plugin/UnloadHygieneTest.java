package dev.sabir.server.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sabir.server.threads.HostThreads;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.codec.MessageToByteEncoder;
import io.netty.util.internal.InternalThreadLocalMap;
import java.io.IOException;
import java.io.InputStream;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The host's threads forget the classes of an unloaded plugin. */
class UnloadHygieneTest {

    /** A handler like a plugin's: Netty caches its message type per thread. */
    public static final class PluginHandler extends SimpleChannelInboundHandler<PluginMessage> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, PluginMessage msg) {}
    }

    /** An encoder like a plugin's. */
    public static final class PluginEncoder extends MessageToByteEncoder<PluginMessage> {
        @Override
        protected void encode(ChannelHandlerContext ctx, PluginMessage msg, ByteBuf out) {}
    }

    /** A plugin's message type. */
    public static final class PluginMessage {}

    /** Loads the three classes above afresh, as a plugin's class loader would. */
    static final class FakePluginLoader extends ClassLoader {
        FakePluginLoader() {
            super(UnloadHygieneTest.class.getClassLoader());
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (!name.startsWith(UnloadHygieneTest.class.getName() + "$Plugin")) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> c = findLoadedClass(name);
                if (c == null) {
                    String file = name.replace('.', '/') + ".class";
                    try (InputStream in = getParent().getResourceAsStream(file)) {
                        byte[] b = in.readAllBytes();
                        c = defineClass(name, b, 0, b.length);
                    } catch (IOException e) {
                        throw new ClassNotFoundException(name, e);
                    }
                }
                return c;
            }
        }
    }

    private static boolean cached(ClassLoader loader) {
        InternalThreadLocalMap map = InternalThreadLocalMap.getIfSet();
        if (map == null) {
            return false;
        }
        List<Class<?>> keys = new ArrayList<>(map.typeParameterMatcherFindCache().keySet());
        keys.addAll(map.typeParameterMatcherGetCache().keySet());
        return keys.stream().anyMatch(c -> c.getClassLoader() == loader);
    }

    @Test
    void scrubbingRemovesThePluginsClassesFromEveryHostThread() throws Exception {
        MultiThreadIoEventLoopGroup loops =
                new MultiThreadIoEventLoopGroup(
                        2, HostThreads.threads("test-io"), NioIoHandler.newFactory());
        ExecutorService pool = Executors.newFixedThreadPool(2, HostThreads.threads("test-pool"));
        try {
            WeakReference<ClassLoader> ref = useAndScrub(loops, pool);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (ref.get() != null && System.nanoTime() < deadline) {
                System.gc();
                Thread.sleep(50);
            }
            assertThat(ref.get()).as("the fake plugin's loader was collected").isNull();
        } finally {
            pool.shutdownNow();
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /** Builds the fake plugin's handlers on every thread, scrubs, checks the caches are clean. */
    private static WeakReference<ClassLoader> useAndScrub(
            MultiThreadIoEventLoopGroup loops, ExecutorService pool) throws Exception {
        FakePluginLoader loader = new FakePluginLoader();
        Class<?> handler = loader.loadClass(PluginHandler.class.getName());
        Class<?> encoder = loader.loadClass(PluginEncoder.class.getName());
        assertThat(handler.getClassLoader()).isSameAs(loader);
        Runnable make =
                () -> {
                    try {
                        handler.getDeclaredConstructor().newInstance();
                        encoder.getDeclaredConstructor().newInstance();
                    } catch (ReflectiveOperationException e) {
                        throw new IllegalStateException(e);
                    }
                };
        // every thread builds the plugin's handlers, as sessions do on whatever thread runs
        for (var e : loops) {
            e.submit(make).get(5, TimeUnit.SECONDS);
            assertThat(e.submit(() -> cached(loader)).get(5, TimeUnit.SECONDS)).isTrue();
        }
        for (int i = 0; i < 4; i++) {
            pool.submit(make).get(5, TimeUnit.SECONDS);
        }

        UnloadHygiene hygiene = new UnloadHygiene();
        hygiene.watch(loops);
        hygiene.watch(pool, 2);
        hygiene.scrub(loader);

        for (var e : loops) {
            assertThat(e.submit(() -> cached(loader)).get(5, TimeUnit.SECONDS))
                    .as("cache of " + e)
                    .isFalse();
        }
        for (int i = 0; i < 4; i++) {
            assertThat(pool.submit(() -> cached(loader)).get(5, TimeUnit.SECONDS)).isFalse();
        }
        return new WeakReference<>(loader);
    }

    @Test
    void hostThreadsDoNotKeepTheCreatorsContextClassLoader() throws Exception {
        ClassLoader plugin = new FakePluginLoader();
        Thread caller = Thread.currentThread();
        ClassLoader before = caller.getContextClassLoader();
        caller.setContextClassLoader(plugin);
        try {
            Thread t = HostThreads.threads("test-ccl").newThread(() -> {});
            assertThat(t.getContextClassLoader()).isNotSameAs(plugin);
            assertThat(t.isDaemon()).isTrue();
        } finally {
            caller.setContextClassLoader(before);
        }
    }
}
