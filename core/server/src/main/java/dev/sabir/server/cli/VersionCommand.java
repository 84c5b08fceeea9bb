package dev.sabir.server.cli;

import dev.sabir.server.SabirServer;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code sabir version}. */
@Command(name = "version", description = "Print the version.")
final class VersionCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine()
                .getOut()
                .printf(
                        "sabir %s (Java %s, %s)%n",
                        SabirServer.version(),
                        System.getProperty("java.version"),
                        System.getProperty("os.name"));
        return 0;
    }
}
