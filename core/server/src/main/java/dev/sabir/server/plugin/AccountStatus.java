package dev.sabir.server.plugin;

/**
 * An account's state for {@code /health} and the admin surface.
 *
 * @param name account name
 * @param plugin protocol id
 * @param state {@code connecting}, {@code online}, {@code degraded}, {@code offline}, {@code
 *     disabled}, {@code waiting} (plugin not loaded) or {@code failed}
 * @param reason why, for operators; empty when fine
 */
public record AccountStatus(String name, String plugin, String state, String reason) {}
