package dev.sabir.server.cli;

import dev.sabir.server.SabirServer;
import dev.sabir.server.config.ConfigException;
import dev.sabir.server.config.SabirConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sabir run}: starts the server and runs until SIGTERM / SIGINT. */
@Command(name = "run", description = "Start the server (stops cleanly on SIGTERM or Ctrl-C).")
final class RunCommand implements Callable<Integer> {

    @Option(
            names = {"-c", "--config"},
            description = "config file (default: ${DEFAULT-VALUE})",
            defaultValue = SabirCommand.DEFAULT_CONFIG)
    Path config;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        Logger log = LoggerFactory.getLogger(RunCommand.class);
        SabirConfig cfg;
        try {
            cfg = SabirConfig.load(config);
        } catch (ConfigException e) {
            spec.commandLine().getErr().println(e.getMessage());
            return SabirCommand.EXIT_CONFIG;
        }
        log.info("Sabir {} using {}", SabirServer.version(), config.toAbsolutePath().normalize());
        SabirServer server = new SabirServer(cfg);
        Thread hook = new Thread(server::close, "sabir-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            server.start();
        } catch (Exception e) {
            log.error("Sabir failed to start: {}", e.toString(), e);
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // already on the way out
            }
            server.close();
            return SabirCommand.EXIT_FAILURE;
        }
        server.awaitClosed();
        return 0;
    }
}
