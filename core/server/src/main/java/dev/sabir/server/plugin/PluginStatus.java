package dev.sabir.server.plugin;

/**
 * A loaded (or failed) plugin for {@code /health} and {@code sabir plugins}.
 *
 * @param id plugin id
 * @param version plugin version
 * @param state PF4J state in lower case ({@code started}, {@code failed}, ...) or {@code builtin}
 * @param protocols the connectors' protocol ids
 * @param reason why it failed; empty when fine
 */
public record PluginStatus(
        String id, String version, String state, java.util.List<String> protocols, String reason) {}
