package dev.sabir.server.plugin;

import java.nio.file.Path;
import java.util.List;
import org.pf4j.CompoundPluginLoader;
import org.pf4j.DefaultPluginLoader;
import org.pf4j.DefaultPluginManager;
import org.pf4j.JarPluginLoader;
import org.pf4j.PluginClassLoader;
import org.pf4j.PluginDescriptor;
import org.pf4j.PluginLoader;
import org.pf4j.PluginManager;

/**
 * PF4J's default manager with one change: the packages the host shares with plugins (the Sabir API,
 * Netty, Jackson, SLF4J, PF4J) always load from the host, even when a plugin bundles its own copy,
 * so a plugin's {@code Connector} is the host's {@code Connector}. Everything else loads from the
 * plugin first.
 */
final class HostPluginManager extends DefaultPluginManager {

    /** Package prefixes that always come from the host. */
    static final List<String> SHARED_PACKAGES =
            List.of("dev.sabir.api.", "io.netty.", "com.fasterxml.jackson.", "org.slf4j.", "org.pf4j.");

    HostPluginManager(Path dir) {
        super(dir);
    }

    @Override
    protected PluginLoader createPluginLoader() {
        return new CompoundPluginLoader()
                .add(new HostFirstJarLoader(this))
                .add(new HostFirstDirectoryLoader(this));
    }

    static boolean isShared(String className) {
        for (String p : SHARED_PACKAGES) {
            if (className.startsWith(p)) {
                return true;
            }
        }
        return false;
    }

    /** A plugin class loader that asks the host first for the shared packages. */
    static final class HostFirstClassLoader extends PluginClassLoader {
        HostFirstClassLoader(PluginManager manager, PluginDescriptor descriptor, ClassLoader parent) {
            super(manager, descriptor, parent);
        }

        @Override
        protected boolean shouldDelegateToParent(String className) {
            return isShared(className) || super.shouldDelegateToParent(className);
        }
    }

    private static final class HostFirstJarLoader extends JarPluginLoader {
        HostFirstJarLoader(PluginManager manager) {
            super(manager);
        }

        @Override
        protected PluginClassLoader createPluginClassLoader(Path path, PluginDescriptor descriptor) {
            return new HostFirstClassLoader(
                    pluginManager, descriptor, HostPluginManager.class.getClassLoader());
        }
    }

    private static final class HostFirstDirectoryLoader extends DefaultPluginLoader {
        HostFirstDirectoryLoader(PluginManager manager) {
            super(manager);
        }

        @Override
        protected PluginClassLoader createPluginClassLoader(Path path, PluginDescriptor descriptor) {
            return new HostFirstClassLoader(
                    pluginManager, descriptor, HostPluginManager.class.getClassLoader());
        }
    }
}
