package dev.sabir.server.cli;

import dev.sabir.server.SabirServer;
import java.io.PrintWriter;
import java.util.Arrays;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code sabir} command line: {@code run}, {@code check-config}, {@code plugins}, {@code
 * version}.
 */
@Command(
        name = "sabir",
        mixinStandardHelpOptions = true,
        versionProvider = SabirCommand.Version.class,
        description = "Sabir: a bridge server for chat networks.",
        subcommands = {
            RunCommand.class,
            CheckConfigCommand.class,
            PluginsCommand.class,
            VersionCommand.class,
            AccountCommandCommand.class,
            AccountCommandCommand.Simplex.class,
            CommandLine.HelpCommand.class
        })
public final class SabirCommand implements Runnable {

    /** The config file used when none is named. */
    public static final String DEFAULT_CONFIG = "config/sabir.yml";

    /** Exit code: the configuration is wrong (or the command line). */
    public static final int EXIT_CONFIG = 2;

    /** Exit code: the server failed at run time. */
    public static final int EXIT_FAILURE = 1;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Supplies {@code --version}. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"sabir " + SabirServer.version()};
        }
    }

    /** The command line with its output streams. */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new SabirCommand());
        cl.setOut(out);
        cl.setErr(err);
        return cl;
    }

    /**
     * Runs the command line. No arguments, or options only, means {@code run}.
     *
     * @return the exit code
     */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        String[] effective = args;
        if (args.length == 0 || (args[0].startsWith("-c") || args[0].startsWith("--config"))) {
            effective = new String[args.length + 1];
            effective[0] = "run";
            System.arraycopy(args, 0, effective, 1, args.length);
        }
        int code = commandLine(out, err).execute(effective);
        out.flush();
        err.flush();
        return code;
    }

    /** The name of the subcommand that {@link #execute} would run. */
    public static String commandName(String[] args) {
        if (args.length == 0 || args[0].startsWith("-c") || args[0].startsWith("--config")) {
            return "run";
        }
        return Arrays.stream(args).filter(a -> !a.startsWith("-")).findFirst().orElse("");
    }
}
