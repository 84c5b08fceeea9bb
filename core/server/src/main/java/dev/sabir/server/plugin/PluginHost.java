package dev.sabir.server.plugin;

import java.nio.file.Path;
import java.util.List;

/**
 * Loads plugin JARs with PF4J (host-first for the shared packages), watches the folder for
 * drop-ins, removals and replacements, and also offers connectors found on the class path
 * (built in). Reports connectors to the {@link AccountManager}.
 */
public final class PluginHost implements AutoCloseable {

    /**
     * @param dir the runtime plugin folder
     * @param watch whether to watch it for changes
     * @param accounts told about connectors coming and going
     */
    public PluginHost(Path dir, boolean watch, AccountManager accounts) {}

    /** Loads built-in connectors and every plugin in the folder, and starts watching. */
    public void start() {}

    /** The plugins and their states. */
    public List<PluginStatus> plugins() {
        return List.of();
    }

    @Override
    public void close() {}
}
