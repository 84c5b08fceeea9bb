package dev.sabir.api;

import java.util.List;

/**
 * Optional: a {@link Session} that offers operator commands of its own (for example {@code invite}
 * and {@code join} for SimpleX-style groups) implements this. The host reaches them through the
 * admin API ({@code POST /api/accounts/<name>/command}) and the {@code sabir} command line.
 * Commands may block for a few seconds; the host never calls them on an event loop.
 */
public interface AccountCommands {

    /** The command names this session understands, for help texts. */
    List<String> commandNames();

    /**
     * Runs a command.
     *
     * @param command the command name
     * @param args its arguments
     * @return text for the operator
     * @throws IllegalArgumentException when the command or its arguments are wrong (the message is
     *     shown to the operator)
     */
    String runCommand(String command, List<String> args);
}
