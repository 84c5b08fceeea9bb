package dev.sabir.server;

import dev.sabir.server.cli.SabirCommand;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import org.slf4j.bridge.SLF4JBridgeHandler;

/** Entry point of {@code sabir}: see {@link SabirCommand}. */
public final class Main {
    private Main() {}

    /** Runs the command line and exits with its code. */
    public static void main(String[] args) {
        if (!"run".equals(SabirCommand.commandName(args))
                && System.getProperty("sabir.log.level") == null) {
            // the tools print their own output; only warnings from the libraries
            System.setProperty("sabir.log.level", "WARN");
        }
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        System.exit(SabirCommand.execute(args, out, err));
    }
}
