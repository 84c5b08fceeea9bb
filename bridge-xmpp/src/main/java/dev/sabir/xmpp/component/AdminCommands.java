package dev.sabir.xmpp.component;

import dev.sabir.api.Address;
import dev.sabir.api.AdminService;
import dev.sabir.api.Gateway;
import dev.sabir.api.HostContext;
import dev.sabir.api.InvalidConfigException;
import dev.sabir.api.RegistrationField;
import dev.sabir.xmpp.gateway.GatewayService;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Predicate;
import org.jivesoftware.smack.packet.IQ;
import org.jivesoftware.smack.packet.Stanza;
import org.jivesoftware.smack.packet.StanzaError.Condition;
import org.jivesoftware.smackx.commands.AdHocCommand;
import org.jivesoftware.smackx.commands.AdHocCommandNote;
import org.jivesoftware.smackx.commands.packet.AdHocCommandData;
import org.jivesoftware.smackx.disco.packet.DiscoverItems;
import org.jivesoftware.smackx.formtypes.FormFieldRegistry;
import org.jivesoftware.smackx.xdata.FormField;
import org.jivesoftware.smackx.xdata.packet.DataForm;
import org.jxmpp.jid.BareJid;
import org.jxmpp.jid.DomainBareJid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * XEP-0050 ad-hoc commands on the component's domain. The operator's commands (list accounts, list
 * links, create a link, remove a link, restart an account) are for the account's {@code admins}
 * only. The users' commands ({@code register} in two stages: network, then its fields; {@code
 * unregister}) manage personal accounts like XEP-0077 does, for the JIDs in {@code allow} and the
 * admins. Everyone else sees no commands and gets {@code forbidden}.
 *
 * <p>The host's {@link AdminService} is called on the host's scheduler, never on the session's
 * event loop (restarting this very account closes the session).
 */
public final class AdminCommands {
    private static final Logger LOG = LoggerFactory.getLogger(AdminCommands.class);

    /** The ad-hoc commands namespace (also the disco node listing the commands). */
    public static final String NAMESPACE = AdHocCommandData.NAMESPACE;

    /** Node of the account list. */
    public static final String LIST_ACCOUNTS = "list-accounts";

    /** Node of the link list. */
    public static final String LIST_LINKS = "list-links";

    /** Node of link creation. */
    public static final String CREATE_LINK = "create-link";

    /** Node of link removal. */
    public static final String REMOVE_LINK = "remove-link";

    /** Node of account restarts. */
    public static final String RESTART_ACCOUNT = "restart-account";

    /** Node of personal account registration. */
    public static final String REGISTER = "register";

    /** Node of personal account removal. */
    public static final String UNREGISTER = "unregister";

    private static final List<Map.Entry<String, String>> USER_COMMANDS =
            List.of(
                    Map.entry(REGISTER, "Register a network account"),
                    Map.entry(UNREGISTER, "Remove a network account"));

    private static final List<Map.Entry<String, String>> COMMANDS =
            List.of(
                    Map.entry(LIST_ACCOUNTS, "List accounts"),
                    Map.entry(LIST_LINKS, "List links"),
                    Map.entry(CREATE_LINK, "Create a link"),
                    Map.entry(REMOVE_LINK, "Remove a link"),
                    Map.entry(RESTART_ACCOUNT, "Restart an account"));

    /** FORM_TYPE of the commands' forms: this prefix and the command's node. */
    public static final String FORM_TYPE_PREFIX = "urn:sabir:admin:";

    private static final int MAX_SESSIONS = 64;
    private static final Duration SESSION_LIFETIME = Duration.ofMinutes(10);

    /** A multi-stage command in progress. */
    private record Pending(String node, String requester, Instant started, String protocol) {}

    private final DomainBareJid domain;
    private final Predicate<BareJid> isAdmin;
    private final Predicate<BareJid> isUser;
    private final GatewayService gateway;
    private final HostContext host;
    private final StanzaOut out;
    private final Clock clock;
    private final Map<String, Pending> sessions = new ConcurrentHashMap<>();

    /**
     * @param domain the component's domain
     * @param isAdmin who may run the admin commands
     * @param allowed who may register personal accounts (admins may too)
     * @param gateway registers personal accounts
     * @param host host services (admin service, gateway, scheduler)
     * @param out where replies go
     */
    public AdminCommands(
            DomainBareJid domain,
            Predicate<BareJid> isAdmin,
            Predicate<BareJid> allowed,
            GatewayService gateway,
            HostContext host,
            StanzaOut out) {
        this.domain = domain;
        this.isAdmin = isAdmin;
        this.isUser = jid -> allowed.test(jid) || isAdmin.test(jid);
        this.gateway = gateway;
        this.host = host;
        this.out = out;
        this.clock = host.clock();
    }

    /**
     * Fills the reply to a disco#items request on the commands node: the users' commands for
     * allowed users, the admin commands too for admins, nothing for anyone else.
     */
    public void listCommands(IQ request, DiscoverItems reply) {
        BareJid from = request.getFrom() == null ? null : request.getFrom().asBareJid();
        List<Map.Entry<String, String>> visible = new ArrayList<>();
        if (from != null && isUser.test(from)) {
            visible.addAll(USER_COMMANDS);
        }
        if (from != null && isAdmin.test(from)) {
            visible.addAll(COMMANDS);
        }
        for (Map.Entry<String, String> c : visible) {
            DiscoverItems.Item item = new DiscoverItems.Item(domain);
            item.setNode(c.getKey());
            item.setName(c.getValue());
            reply.addItem(item);
        }
    }

    /** Handles a {@code <command/>} IQ to the component's domain. */
    public void handle(IQ iq) {
        if (iq.getType() != IQ.Type.set) {
            if (iq.getType() == IQ.Type.get) {
                error(iq, Condition.bad_request, "commands are executed with type='set'");
            }
            return;
        }
        if (!(iq instanceof AdHocCommandData cmd)) {
            error(iq, Condition.bad_request, "malformed command");
            return;
        }
        BareJid from = iq.getFrom() == null ? null : iq.getFrom().asBareJid();
        String node = cmd.getNode();
        boolean userCommand = USER_COMMANDS.stream().anyMatch(c -> c.getKey().equals(node));
        if (from == null || !(userCommand ? isUser.test(from) : isAdmin.test(from))) {
            LOG.info("command {} refused for {}", node, from);
            error(
                    iq,
                    Condition.forbidden,
                    userCommand
                            ? "registration is not open to " + from
                            : "only the bridge's admins may run commands");
            return;
        }
        if (node == null
                || (!userCommand && COMMANDS.stream().noneMatch(c -> c.getKey().equals(node)))) {
            error(iq, Condition.item_not_found, "no such command");
            return;
        }
        AdHocCommand.Action action =
                cmd.getAction() == null ? AdHocCommand.Action.execute : cmd.getAction();
        String sid = cmd.getSessionID();
        if (sid != null && !sid.isEmpty()) {
            Pending p = sessions.get(sid);
            if (p == null || !p.node().equals(node) || !p.requester().equals(from.toString())) {
                error(iq, Condition.bad_request, "unknown or expired command session");
                return;
            }
            if (action == AdHocCommand.Action.cancel) {
                sessions.remove(sid);
                reply(cmd, sid, AdHocCommand.Status.canceled, null, null, null);
                return;
            }
            if (action == AdHocCommand.Action.prev
                    && REGISTER.equals(node)
                    && p.protocol() != null) {
                sessions.remove(sid);
                onWorker(cmd, () -> start(cmd, from));
                return;
            }
            boolean twoStage = REGISTER.equals(node) && p.protocol() == null;
            if (action == AdHocCommand.Action.prev
                    || (action == AdHocCommand.Action.next && !twoStage)) {
                error(iq, Condition.bad_request, "this stage has no " + action);
                return;
            }
            DataForm form = cmd.getForm();
            if (form == null || form.getType() != DataForm.Type.submit) {
                error(iq, Condition.bad_request, "the filled-in form is missing");
                return;
            }
            sessions.remove(sid);
            if (twoStage) {
                onWorker(cmd, () -> chooseNetwork(cmd, form, from));
            } else {
                onWorker(cmd, () -> submit(cmd, sid, form, from, p));
            }
            return;
        }
        if (action == AdHocCommand.Action.cancel) {
            reply(cmd, null, AdHocCommand.Status.canceled, null, null, null);
            return;
        }
        onWorker(cmd, () -> start(cmd, from));
    }

    private void start(AdHocCommandData cmd, BareJid from) {
        String node = cmd.getNode();
        switch (node) {
            case REGISTER -> {
                Map<String, List<RegistrationField>> protocols =
                        host.gateway().registrableProtocols();
                if (protocols.isEmpty()) {
                    error(cmd, Condition.item_not_found, "no network offers personal accounts");
                    return;
                }
                DataForm form =
                        DataForm.builder(DataForm.Type.form)
                                .setFormType(FORM_TYPE_PREFIX + REGISTER)
                                .setTitle("Register a network account")
                                .addInstruction("Choose a network; its fields come next.")
                                .addField(GatewayService.protocolField(protocols))
                                .build();
                ask(cmd, from, form, null, AdHocCommand.Action.next);
            }
            case UNREGISTER -> {
                var field =
                        FormField.listSingleBuilder("protocol").setLabel("Account").setRequired();
                int n = 0;
                for (Gateway.PersonalAccount pa : host.gateway().accountsOf(from.toString())) {
                    field.addOption(
                            new FormField.Option(
                                    pa.account() + " (" + pa.protocol() + ", " + pa.state() + ")",
                                    pa.protocol()));
                    n++;
                }
                if (n == 0) {
                    reply(
                            cmd,
                            null,
                            AdHocCommand.Status.completed,
                            null,
                            "You have no network accounts.",
                            null);
                    return;
                }
                ask(
                        cmd,
                        from,
                        DataForm.builder(DataForm.Type.form)
                                .setFormType(FORM_TYPE_PREFIX + UNREGISTER)
                                .setTitle("Remove a network account")
                                .addField(field.build())
                                .build());
            }
            default -> startAdmin(cmd, from);
        }
    }

    /** Stage two of {@code register}: the chosen network's fields. */
    private void chooseNetwork(AdHocCommandData cmd, DataForm submitted, BareJid from) {
        String protocol = first(submitted, "protocol");
        List<RegistrationField> fields = host.gateway().registrableProtocols().get(protocol);
        if (fields == null) {
            error(cmd, Condition.bad_request, "unknown network '" + protocol + "'");
            return;
        }
        DataForm.Builder form =
                DataForm.builder(DataForm.Type.form)
                        .setFormType(FORM_TYPE_PREFIX + REGISTER + ":" + protocol)
                        .setTitle("Register a " + protocol + " account");
        for (RegistrationField f : fields) {
            form.addField(GatewayService.formField(f, true));
        }
        ask(cmd, from, form.build(), protocol, AdHocCommand.Action.complete);
    }

    private void startAdmin(AdHocCommandData cmd, BareJid from) {
        AdminService admin = host.admin();
        String node = cmd.getNode();
        switch (node) {
            case LIST_ACCOUNTS -> {
                List<AdminService.AccountInfo> accounts = admin.accounts();
                List<DataForm.Item> items = new ArrayList<>();
                for (AdminService.AccountInfo a : accounts) {
                    items.add(
                            new DataForm.Item(
                                    List.of(
                                            value("name", a.name()),
                                            value("protocol", a.protocol()),
                                            value("state", a.state()),
                                            value("reason", a.reason()))));
                }
                DataForm form =
                        table(
                                "Accounts",
                                List.of(
                                        column("name", "Account"),
                                        column("protocol", "Protocol"),
                                        column("state", "State"),
                                        column("reason", "Reason")),
                                items);
                reply(
                        cmd,
                        null,
                        AdHocCommand.Status.completed,
                        form,
                        accounts.size() + " account(s)",
                        null);
            }
            case LIST_LINKS -> {
                List<AdminService.LinkInfo> links = admin.links();
                List<DataForm.Item> items = new ArrayList<>();
                for (AdminService.LinkInfo l : links) {
                    List<String> members = l.members().stream().map(Address::toString).toList();
                    items.add(
                            new DataForm.Item(
                                    List.of(
                                            value("name", l.name()),
                                            FormField.textMultiBuilder("members")
                                                    .addValues(members)
                                                    .build(),
                                            value("format", l.format()))));
                }
                DataForm form =
                        table(
                                "Links",
                                List.of(
                                        column("name", "Link"),
                                        FormField.textMultiBuilder("members")
                                                .setLabel("Members")
                                                .build(),
                                        column("format", "Nick format")),
                                items);
                reply(
                        cmd,
                        null,
                        AdHocCommand.Status.completed,
                        form,
                        links.size() + " link(s)",
                        null);
            }
            case CREATE_LINK -> {
                DataForm form =
                        DataForm.builder(DataForm.Type.form)
                                .setFormType(FORM_TYPE_PREFIX + CREATE_LINK)
                                .setTitle("Create a link")
                                .addInstruction(
                                        "Members are conversations, one per line, written"
                                                + " protocol:account/id (for example"
                                                + " irc:libera/#sabir).")
                                .addField(
                                        FormField.textSingleBuilder("name")
                                                .setLabel("Link name")
                                                .setRequired()
                                                .build())
                                .addField(
                                        FormField.textMultiBuilder("members")
                                                .setLabel("Members")
                                                .setRequired()
                                                .build())
                                .addField(
                                        FormField.textSingleBuilder("format")
                                                .setLabel("Nick format (empty for the default)")
                                                .build())
                                .build();
                ask(cmd, from, form);
            }
            case REMOVE_LINK -> {
                var field = FormField.listSingleBuilder("name").setLabel("Link").setRequired();
                for (AdminService.LinkInfo l : admin.links()) {
                    field.addOption(new FormField.Option(l.name(), l.name()));
                }
                ask(
                        cmd,
                        from,
                        DataForm.builder(DataForm.Type.form)
                                .setFormType(FORM_TYPE_PREFIX + REMOVE_LINK)
                                .setTitle("Remove a link")
                                .addField(field.build())
                                .build());
            }
            case RESTART_ACCOUNT -> {
                var field =
                        FormField.listSingleBuilder("account").setLabel("Account").setRequired();
                for (AdminService.AccountInfo a : admin.accounts()) {
                    field.addOption(
                            new FormField.Option(a.name() + " (" + a.state() + ")", a.name()));
                }
                ask(
                        cmd,
                        from,
                        DataForm.builder(DataForm.Type.form)
                                .setFormType(FORM_TYPE_PREFIX + RESTART_ACCOUNT)
                                .setTitle("Restart an account")
                                .addField(field.build())
                                .build());
            }
            default -> error(cmd, Condition.item_not_found, "no such command");
        }
    }

    private void ask(AdHocCommandData cmd, BareJid from, DataForm form) {
        ask(cmd, from, form, null, AdHocCommand.Action.complete);
    }

    private void ask(
            AdHocCommandData cmd,
            BareJid from,
            DataForm form,
            String protocol,
            AdHocCommand.Action nextAction) {
        Instant now = clock.instant();
        sessions.values().removeIf(p -> p.started().plus(SESSION_LIFETIME).isBefore(now));
        if (sessions.size() >= MAX_SESSIONS) {
            error(cmd, Condition.resource_constraint, "too many commands in progress");
            return;
        }
        // submitted forms may leave out field types; Smack's parser looks them up by FORM_TYPE
        FormFieldRegistry.register(form);
        String sid = UUID.randomUUID().toString();
        sessions.put(sid, new Pending(cmd.getNode(), from.toString(), now, protocol));
        reply(cmd, sid, AdHocCommand.Status.executing, form, null, nextAction);
    }

    private void submit(
            AdHocCommandData cmd, String sid, DataForm form, BareJid from, Pending pending) {
        switch (cmd.getNode()) {
            case REGISTER -> {
                Map<String, String> values = new LinkedHashMap<>();
                for (FormField f : form.getFields()) {
                    String v = f.getFirstValue();
                    if (f.getFieldName() != null && v != null) {
                        values.put(f.getFieldName(), v);
                    }
                }
                try {
                    String account = gateway.registerAccount(from, pending.protocol(), values);
                    done(
                            cmd,
                            sid,
                            "Registered " + pending.protocol() + " account " + account + ".");
                } catch (InvalidConfigException e) {
                    error(cmd, Condition.bad_request, GatewayService.describe(e));
                }
            }
            case UNREGISTER -> {
                String protocol = first(form, "protocol");
                if (!host.gateway().unregister(from.toString(), protocol)) {
                    error(cmd, Condition.item_not_found, "no " + protocol + " account to remove");
                    return;
                }
                LOG.info("gateway: {} removed their {} account", from, protocol);
                done(cmd, sid, "Your " + protocol + " account was removed.");
                gateway.forgetOwner(from);
            }
            default -> submitAdmin(cmd, sid, form, from);
        }
    }

    private void submitAdmin(AdHocCommandData cmd, String sid, DataForm form, BareJid from) {
        AdminService admin = host.admin();
        switch (cmd.getNode()) {
            case CREATE_LINK -> {
                String name = first(form, "name");
                List<Address> members = new ArrayList<>();
                FormField f = form.getField("members");
                if (f != null) {
                    for (CharSequence v : f.getValues()) {
                        for (String line : v.toString().split("\\R")) {
                            if (!line.isBlank()) {
                                try {
                                    members.add(Address.parse(line.trim()));
                                } catch (IllegalArgumentException e) {
                                    error(cmd, Condition.bad_request, e.getMessage());
                                    return;
                                }
                            }
                        }
                    }
                }
                if (name.isEmpty()) {
                    error(cmd, Condition.bad_request, "the link needs a name");
                    return;
                }
                String format = first(form, "format");
                try {
                    admin.createLink(name, members, format.isEmpty() ? null : format);
                } catch (IllegalArgumentException e) {
                    error(cmd, Condition.bad_request, e.getMessage());
                    return;
                }
                LOG.info("admin {}: created link {} with {} members", from, name, members.size());
                done(cmd, sid, "Link " + name + " created with " + members.size() + " members.");
            }
            case REMOVE_LINK -> {
                String name = first(form, "name");
                if (!admin.removeLink(name)) {
                    error(cmd, Condition.item_not_found, "no link named '" + name + "'");
                    return;
                }
                LOG.info("admin {}: removed link {}", from, name);
                done(cmd, sid, "Link " + name + " removed.");
            }
            case RESTART_ACCOUNT -> {
                String name = first(form, "account");
                LOG.info("admin {}: restarting account {}", from, name);
                if (!admin.restartAccount(name)) {
                    error(cmd, Condition.item_not_found, "no account named '" + name + "'");
                    return;
                }
                done(cmd, sid, "Account " + name + " is restarting.");
            }
            default -> error(cmd, Condition.bad_request, "this command takes no form");
        }
    }

    private void done(AdHocCommandData cmd, String sid, String note) {
        reply(cmd, sid, AdHocCommand.Status.completed, null, note, null);
    }

    private static String first(DataForm form, String var) {
        FormField f = form.getField(var);
        String v = f == null ? null : f.getFirstValue();
        return v == null ? "" : v.trim();
    }

    private static FormField value(String var, String value) {
        return FormField.textSingleBuilder(var).setValue(value == null ? "" : value).build();
    }

    private static FormField column(String var, String label) {
        return FormField.textSingleBuilder(var).setLabel(label).build();
    }

    private static DataForm table(String title, List<FormField> columns, List<DataForm.Item> rows) {
        DataForm.Builder b =
                DataForm.builder(DataForm.Type.result)
                        .setTitle(title)
                        .setReportedData(new DataForm.ReportedData(columns));
        for (DataForm.Item row : rows) {
            b.addItem(row);
        }
        return b.build();
    }

    /** Runs a step on the host's scheduler; failures of the admin service become XMPP errors. */
    private void onWorker(AdHocCommandData cmd, Runnable step) {
        Runnable guarded =
                () -> {
                    try {
                        step.run();
                    } catch (UnsupportedOperationException e) {
                        error(
                                cmd,
                                Condition.feature_not_implemented,
                                "this host does not offer that service");
                    } catch (RuntimeException e) {
                        LOG.warn("admin command {} failed", cmd.getNode(), e);
                        error(cmd, Condition.internal_server_error, "the command failed");
                    }
                };
        try {
            host.scheduler().execute(guarded);
        } catch (RejectedExecutionException e) {
            error(cmd, Condition.service_unavailable, "shutting down");
        }
    }

    private void reply(
            AdHocCommandData request,
            String sid,
            AdHocCommand.Status status,
            DataForm form,
            String note,
            AdHocCommand.Action nextAction) {
        AdHocCommandData r = new AdHocCommandData();
        r.setType(IQ.Type.result);
        r.setStanzaId(request.getStanzaId());
        r.setTo(request.getFrom());
        r.setFrom(request.getTo());
        r.setNode(request.getNode());
        if (sid != null) {
            r.setSessionID(sid);
        }
        r.setStatus(status);
        if (form != null) {
            r.setForm(form);
        }
        if (note != null) {
            r.addNote(new AdHocCommandNote(AdHocCommandNote.Type.info, note));
        }
        if (nextAction != null) {
            r.addAction(nextAction);
            r.setExecuteAction(nextAction);
        }
        out.send(r);
    }

    private void error(Stanza request, Condition c, String text) {
        Stanza err = Errors.reply(request, c, text);
        if (err != null) {
            out.send(err);
        }
    }
}
