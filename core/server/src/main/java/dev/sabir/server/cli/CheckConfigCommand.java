package dev.sabir.server.cli;

import dev.sabir.server.config.ConfigException;
import dev.sabir.server.config.SabirConfig;
import dev.sabir.server.config.Sizes;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code sabir check-config [FILE]}: reads and checks the config, prints a summary. */
@Command(
        name = "check-config",
        description =
                "Check a config file: exit 0 with a summary, or 2 with file:line: key: problem.")
final class CheckConfigCommand implements Callable<Integer> {

    @Parameters(
            arity = "0..1",
            paramLabel = "FILE",
            description = "config file (default: ${DEFAULT-VALUE})",
            defaultValue = SabirCommand.DEFAULT_CONFIG)
    Path file;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        SabirConfig c;
        try {
            c = SabirConfig.load(file);
        } catch (ConfigException e) {
            spec.commandLine().getErr().println(e.getMessage());
            return SabirCommand.EXIT_CONFIG;
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println(file + ": OK");
        out.printf(
                "  admin:    http://%s:%d/ (API token %s)%n",
                c.admin().listen().getAddress().getHostAddress(),
                c.admin().listen().getPort(),
                c.admin().token().isEmpty() ? "not set" : "set");
        out.printf("  storage:  %s%n", c.storage().url());
        out.printf(
                "  plugins:  %s%s%s%n",
                c.plugins().dir(),
                c.plugins().watch() ? " (watched)" : "",
                Files.isDirectory(c.plugins().dir())
                        ? ""
                        : " (folder missing: build with mvn package)");
        out.printf(
                "  spool:    %s (files up to %s, %s per source, %s in all)%n",
                c.spool().dir(),
                Sizes.format(c.spool().maxFileSize()),
                Sizes.format(c.spool().quotaPerSource()),
                Sizes.format(c.spool().quotaTotal()));
        out.printf(
                "  router:   %d queued per destination, %s when full, %d history lines on join%n",
                c.router().maxQueuePerDestination(),
                c.router().whenFull(),
                c.router().historyOnJoin());
        out.printf("  accounts: %d%n", c.accounts().size());
        c.accounts()
                .values()
                .forEach(
                        a ->
                                out.printf(
                                        "    %s (%s)%s%n",
                                        a.name(), a.plugin(), a.enabled() ? "" : " disabled"));
        out.printf("  links:    %d%n", c.links().size());
        c.links().values().forEach(l -> out.printf("    %s: %s%n", l.name(), l.members()));
        return 0;
    }
}
