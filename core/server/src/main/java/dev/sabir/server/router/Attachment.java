package dev.sabir.server.router;

import dev.sabir.api.Capability;
import dev.sabir.api.Session;
import java.util.Set;

/**
 * An online session as the router sees it.
 *
 * @param session the session
 * @param capabilities what its network can carry
 * @param generation increases with every attach, to tell completions of an old session apart
 */
record Attachment(Session session, Set<Capability> capabilities, long generation) {}
