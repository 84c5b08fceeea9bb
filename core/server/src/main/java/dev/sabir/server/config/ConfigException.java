package dev.sabir.server.config;

import java.nio.file.Path;

/** A configuration error that names the file, the line and the key. */
public class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;
    private final transient Path file;
    private final int line;
    private final String key;

    /**
     * @param file the config file (may be null for built-in configs)
     * @param line the 1-based line, or -1 when unknown
     * @param key the full dotted key, e.g. {@code accounts.irc1.server}
     * @param problem what is wrong
     */
    public ConfigException(Path file, int line, String key, String problem) {
        super(format(file, line, key, problem));
        this.file = file;
        this.line = line;
        this.key = key;
    }

    private static String format(Path file, int line, String key, String problem) {
        StringBuilder sb = new StringBuilder();
        sb.append(file == null ? "<config>" : file.toString());
        if (line > 0) {
            sb.append(':').append(line);
        }
        if (key != null && !key.isEmpty()) {
            sb.append(": ").append(key);
        }
        return sb.append(": ").append(problem).toString();
    }

    /** The config file. */
    public Path file() {
        return file;
    }

    /** The 1-based line, or -1. */
    public int line() {
        return line;
    }

    /** The full dotted key. */
    public String key() {
        return key;
    }
}
