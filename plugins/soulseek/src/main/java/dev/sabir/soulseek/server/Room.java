package dev.sabir.soulseek.server;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/** A room hosted in server mode. Guarded by the server's lock. */
final class Room {
    final String name;
    final boolean isPrivate;
    String owner;
    final Set<String> operators = new LinkedHashSet<>();
    final Set<String> members = new LinkedHashSet<>();
    final Set<String> present = new LinkedHashSet<>();
    final Set<String> puppets = new LinkedHashSet<>();
    final Map<String, String> tickers = new LinkedHashMap<>();
    boolean configured;
    boolean bridged;

    Room(String name, boolean isPrivate, String owner) {
        this.name = name;
        this.isPrivate = isPrivate;
        this.owner = owner;
    }

    /** Owner, operators and members of a private room. */
    Set<String> allMembers() {
        Set<String> all = new LinkedHashSet<>();
        if (owner != null) {
            all.add(owner);
        }
        all.addAll(operators);
        all.addAll(members);
        return all;
    }

    boolean mayEnter(String user) {
        return !isPrivate || allMembers().contains(user);
    }

    boolean isOperatorOrOwner(String user) {
        return user.equals(owner) || operators.contains(user);
    }

    int population() {
        return present.size() + puppets.size();
    }

    boolean disposable() {
        return !isPrivate && !configured && !bridged && present.isEmpty() && puppets.isEmpty();
    }
}
