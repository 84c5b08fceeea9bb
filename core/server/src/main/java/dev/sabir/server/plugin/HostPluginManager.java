package dev.sabir.server.plugin;

import java.io.IOException;
import java.net.URL;
import java.nio.file.Path;
import java.util.Enumeration;
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

    /**
     * Package prefixes that always come from the host. Besides the API and the libraries every
     * plugin shares, libraries with native code live here: a native library keeps JNI global
     * references to the classes of the loader that loaded it until that loader is collected, which
     * it then never is (junixsocket did exactly that inside the ipcfile plugin).
     */
    static final List<String> SHARED_PACKAGES =
            List.of(
                    "dev.sabir.api.",
                    "io.netty.",
                    "com.fasterxml.jackson.",
                    "org.slf4j.",
                    "org.pf4j.",
                    "org.newsclub.net.unix.");

    static final String EXTENSION_INDEX = "META-INF/extensions.idx";

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
        HostFirstClassLoader(
                PluginManager manager, PluginDescriptor descriptor, ClassLoader parent) {
            super(manager, descriptor, parent);
        }

        @Override
        protected boolean shouldDelegateToParent(String className) {
            return isShared(className) || super.shouldDelegateToParent(className);
        }

        /**
         * The extension index is read from the plugin itself only: PF4J reads it with {@code
         * getResource}, which would otherwise fall back to the host's class path and report the
         * built-in connectors' index as this plugin's extensions.
         */
        @Override
        public URL getResource(String name) {
            return EXTENSION_INDEX.equals(name) ? findResource(name) : super.getResource(name);
        }

        @Override
        public Enumeration<URL> getResources(String name) throws IOException {
            return EXTENSION_INDEX.equals(name) ? findResources(name) : super.getResources(name);
        }
    }

    private static final class HostFirstJarLoader extends JarPluginLoader {
        HostFirstJarLoader(PluginManager manager) {
            super(manager);
        }

        @Override
        protected PluginClassLoader createPluginClassLoader(
                Path path, PluginDescriptor descriptor) {
            return new HostFirstClassLoader(
                    pluginManager, descriptor, HostPluginManager.class.getClassLoader());
        }
    }

    private static final class HostFirstDirectoryLoader extends DefaultPluginLoader {
        HostFirstDirectoryLoader(PluginManager manager) {
            super(manager);
        }

        @Override
        protected PluginClassLoader createPluginClassLoader(
                Path path, PluginDescriptor descriptor) {
            return new HostFirstClassLoader(
                    pluginManager, descriptor, HostPluginManager.class.getClassLoader());
        }
    }
}
