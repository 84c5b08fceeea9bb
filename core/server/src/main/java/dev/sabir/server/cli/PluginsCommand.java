package dev.sabir.server.cli;

import dev.sabir.api.Connector;
import dev.sabir.server.config.ConfigException;
import dev.sabir.server.config.SabirConfig;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.pf4j.DefaultPluginManager;
import org.pf4j.PluginManager;
import org.pf4j.PluginState;
import org.pf4j.PluginWrapper;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sabir plugins}: lists the plugin JARs in the plugins folder with their protocols. */
@Command(
        name = "plugins",
        description = "List the plugins in the plugins folder (id, version, protocols).")
final class PluginsCommand implements Callable<Integer> {

    @Option(
            names = {"-c", "--config"},
            description = "config file (default: ${DEFAULT-VALUE})",
            defaultValue = SabirCommand.DEFAULT_CONFIG)
    Path config;

    @Option(
            names = "--dir",
            description = "plugins folder (instead of plugins.dir from the config)")
    Path dir;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    /** One plugin as listed. */
    record Listed(String id, String version, String state, List<String> protocols, String reason) {}

    @Override
    public Integer call() {
        Path folder = dir;
        if (folder == null) {
            try {
                folder = SabirConfig.load(config).plugins().dir();
            } catch (ConfigException e) {
                spec.commandLine().getErr().println(e.getMessage());
                return SabirCommand.EXIT_CONFIG;
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        if (!Files.isDirectory(folder)) {
            spec.commandLine()
                    .getErr()
                    .println(folder + ": no such folder (build the plugins with mvn package)");
            return SabirCommand.EXIT_FAILURE;
        }
        List<Listed> plugins = inspect(folder);
        out.println("plugins in " + folder + ":");
        if (plugins.isEmpty()) {
            out.println("  (none)");
        }
        for (Listed p : plugins) {
            out.printf(
                    "  %-12s %-16s %-8s protocols: %s%s%n",
                    p.id(),
                    p.version(),
                    p.state(),
                    p.protocols().isEmpty() ? "-" : String.join(", ", p.protocols()),
                    p.reason().isEmpty() ? "" : "  (" + p.reason() + ")");
        }
        return plugins.stream().anyMatch(p -> p.state().equals("failed"))
                ? SabirCommand.EXIT_FAILURE
                : 0;
    }

    /** Loads and starts every plugin of the folder, asks its connectors for protocols, unloads. */
    static List<Listed> inspect(Path folder) {
        PluginManager pm = new DefaultPluginManager(folder);
        List<Listed> out = new ArrayList<>();
        try {
            pm.loadPlugins();
            pm.startPlugins();
            for (PluginWrapper w : pm.getPlugins()) {
                List<String> protocols = new ArrayList<>();
                String reason = "";
                if (w.getPluginState() == PluginState.STARTED) {
                    try {
                        for (Connector c : pm.getExtensions(Connector.class, w.getPluginId())) {
                            protocols.add(c.protocol());
                        }
                    } catch (RuntimeException | LinkageError e) {
                        reason = e.toString();
                    }
                } else if (w.getFailedException() != null) {
                    reason = String.valueOf(w.getFailedException().getMessage());
                }
                out.add(
                        new Listed(
                                w.getPluginId(),
                                w.getDescriptor().getVersion(),
                                w.getPluginState().toString().toLowerCase(java.util.Locale.ROOT),
                                protocols,
                                reason));
            }
        } finally {
            for (PluginWrapper w : new ArrayList<>(pm.getPlugins())) {
                try {
                    pm.unloadPlugin(w.getPluginId()); // stops it first
                } catch (RuntimeException e) {
                    // listing only: nothing to keep clean beyond this process
                }
            }
        }
        return out;
    }
}
