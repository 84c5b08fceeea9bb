package dev.sabir.api;

import java.util.List;

/**
 * The operator's commands, for plugins that offer an admin surface on their network (XMPP ad-hoc
 * commands). The plugin checks that the requester is an admin before calling.
 */
public interface AdminService {

    /**
     * An account and its state.
     *
     * @param name account name
     * @param protocol protocol id
     * @param state e.g. {@code online}, {@code failed}
     * @param reason why, or empty
     */
    record AccountInfo(String name, String protocol, String state, String reason) {}

    /**
     * A link.
     *
     * @param name link name
     * @param members its conversations
     * @param format nick template
     */
    record LinkInfo(String name, List<Address> members, String format) {}

    /** Every account with its state. */
    List<AccountInfo> accounts();

    /** Every link in force. */
    List<LinkInfo> links();

    /**
     * Creates a runtime link (persisted).
     *
     * @throws IllegalArgumentException when the link is invalid (fewer than two members, duplicate
     *     name)
     */
    void createLink(String name, List<Address> members, String format);

    /** Removes a link; false when unknown. */
    boolean removeLink(String name);

    /** Restarts an account's session; false when unknown. */
    boolean restartAccount(String name);
}
