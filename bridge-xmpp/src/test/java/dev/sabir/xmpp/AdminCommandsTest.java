package dev.sabir.xmpp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sabir.api.Address;
import dev.sabir.api.AdminService;
import dev.sabir.api.Session;
import dev.sabir.testkit.servers.Prosody;
import dev.sabir.xmpp.support.LocalHost;
import dev.sabir.xmpp.support.Sink;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jivesoftware.smack.XMPPException;
import org.jivesoftware.smack.packet.StanzaError;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smackx.commands.AdHocCommand;
import org.jivesoftware.smackx.commands.AdHocCommandManager;
import org.jivesoftware.smackx.commands.RemoteCommand;
import org.jivesoftware.smackx.disco.ServiceDiscoveryManager;
import org.jivesoftware.smackx.disco.packet.DiscoverItems;
import org.jivesoftware.smackx.xdata.FormField;
import org.jivesoftware.smackx.xdata.form.FillableForm;
import org.jivesoftware.smackx.xdata.packet.DataForm;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.jxmpp.jid.Jid;
import org.jxmpp.jid.impl.JidCreate;

/**
 * XEP-0050 admin commands against a real Prosody, run with Smack's AdHocCommandManager from an
 * admin's and a non-admin's client.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdminCommandsTest {
    private Prosody prosody;
    private LocalHost host;
    private Session session;
    private XMPPTCPConnection admin;
    private XMPPTCPConnection mallory;
    private Jid component;

    @BeforeAll
    void start(@TempDir Path tmp) throws Exception {
        prosody = XmppFixture.prosody();
        prosody.register("admin", "pw");
        prosody.register("mallory", "pw");
        host = new LocalHost(tmp);
        session =
                XmppFixture.open(
                        XmppFixture.componentAccount(
                                "comp",
                                prosody,
                                XmppFixture.SECRET,
                                Map.of(
                                        "admins",
                                        List.of("admin@localhost"),
                                        "allow",
                                        List.of("nobody@localhost"))),
                        host,
                        new Sink());
        session.connect().toCompletableFuture().get(10, TimeUnit.SECONDS);
        admin = XmppFixture.user(prosody, "admin");
        mallory = XmppFixture.user(prosody, "mallory");
        component = JidCreate.from(XmppFixture.COMPONENT);
    }

    @AfterAll
    void stop() throws Exception {
        for (XMPPTCPConnection c : new XMPPTCPConnection[] {admin, mallory}) {
            if (c != null) {
                c.disconnect();
            }
        }
        if (session != null) {
            session.close();
        }
        if (host != null) {
            host.close();
        }
        if (prosody != null) {
            prosody.close();
        }
    }

    private RemoteCommand command(XMPPTCPConnection c, String node) {
        return AdHocCommandManager.getAddHocCommandsManager(c).getRemoteCommand(component, node);
    }

    @Test
    void commandsAreAdvertisedToAdminsOnly() throws Exception {
        assertThat(
                        ServiceDiscoveryManager.getInstanceFor(admin)
                                .discoverInfo(component)
                                .containsFeature("http://jabber.org/protocol/commands"))
                .isTrue();
        DiscoverItems items =
                AdHocCommandManager.getAddHocCommandsManager(admin).discoverCommands(component);
        assertThat(items.getItems())
                .extracting(DiscoverItems.Item::getNode)
                .containsExactly(
                        "register",
                        "unregister",
                        "list-accounts",
                        "list-links",
                        "create-link",
                        "remove-link",
                        "restart-account");
        assertThat(
                        AdHocCommandManager.getAddHocCommandsManager(mallory)
                                .discoverCommands(component)
                                .getItems())
                .isEmpty();
    }

    @Test
    void nonAdminsAreForbidden() {
        int restartsBefore = host.admin().restarts.size();
        for (String node : List.of("list-accounts", "restart-account")) {
            assertThatThrownBy(() -> command(mallory, node).execute())
                    .isInstanceOfSatisfying(
                            XMPPException.XMPPErrorException.class,
                            e ->
                                    assertThat(e.getStanzaError().getCondition())
                                            .isEqualTo(StanzaError.Condition.forbidden));
        }
        assertThat(host.admin().restarts).hasSize(restartsBefore);
    }

    @Test
    void listAccountsShowsStates() throws Exception {
        RemoteCommand cmd = command(admin, "list-accounts");
        cmd.execute();
        assertThat(cmd.isCompleted()).isTrue();
        DataForm form = cmd.getForm();
        assertThat(form.getType()).isEqualTo(DataForm.Type.result);
        assertThat(form.getItems()).hasSize(2);
        DataForm.Item libera = form.getItems().get(1);
        assertThat(value(libera, "name")).isEqualTo("libera");
        assertThat(value(libera, "state")).isEqualTo("failed");
        assertThat(value(libera, "reason")).isEqualTo("connection refused");
    }

    @Test
    void createListAndRemoveALink() throws Exception {
        RemoteCommand create = command(admin, "create-link");
        create.execute();
        assertThat(create.getStatus()).isEqualTo(AdHocCommand.Status.executing);
        FillableForm form = new FillableForm(create.getForm());
        form.setAnswer("name", "lounge");
        form.setAnswer(
                "members",
                List.of("irc:libera/#lounge", "xmpp:comp/lounge", "simplex:main/group-1"));
        form.setAnswer("format", "<{nick}>");
        create.complete(form);
        assertThat(create.isCompleted()).isTrue();
        assertThat(create.getNotes()).anyMatch(n -> n.getValue().contains("lounge"));
        AdminService.LinkInfo link = host.admin().links.get("lounge");
        assertThat(link.members())
                .containsExactly(
                        Address.parse("irc:libera/#lounge"),
                        Address.parse("xmpp:comp/lounge"),
                        Address.parse("simplex:main/group-1"));
        assertThat(link.format()).isEqualTo("<{nick}>");

        RemoteCommand list = command(admin, "list-links");
        list.execute();
        DataForm.Item row =
                list.getForm().getItems().stream()
                        .filter(i -> value(i, "name").equals("lounge"))
                        .findFirst()
                        .orElseThrow();
        FormField members =
                row.getFields().stream()
                        .filter(f -> f.getFieldName().equals("members"))
                        .findFirst()
                        .orElseThrow();
        assertThat(members.getValues()).hasSize(3);

        // a duplicate is refused by the host: the refusal comes back as an XMPP error
        RemoteCommand again = command(admin, "create-link");
        again.execute();
        FillableForm dup = new FillableForm(again.getForm());
        dup.setAnswer("name", "lounge");
        dup.setAnswer("members", List.of("irc:libera/#a", "xmpp:comp/a"));
        assertThatThrownBy(() -> again.complete(dup))
                .isInstanceOfSatisfying(
                        XMPPException.XMPPErrorException.class,
                        e -> {
                            assertThat(e.getStanzaError().getCondition())
                                    .isEqualTo(StanzaError.Condition.bad_request);
                            assertThat(e.getStanzaError().getDescriptiveText()).contains("exists");
                        });

        RemoteCommand remove = command(admin, "remove-link");
        remove.execute();
        FormField choices = remove.getForm().getField("name");
        assertThat(choices.getType()).isEqualTo(FormField.Type.list_single);
        FillableForm rf = new FillableForm(remove.getForm());
        rf.setAnswer("name", "lounge");
        remove.complete(rf);
        assertThat(remove.isCompleted()).isTrue();
        assertThat(host.admin().links).doesNotContainKey("lounge");
    }

    @Test
    void malformedMembersAndUnknownNamesAreErrors() throws Exception {
        RemoteCommand create = command(admin, "create-link");
        create.execute();
        FillableForm form = new FillableForm(create.getForm());
        form.setAnswer("name", "broken");
        form.setAnswer("members", List.of("not an address", "irc:libera/#x"));
        assertThatThrownBy(() -> create.complete(form))
                .isInstanceOfSatisfying(
                        XMPPException.XMPPErrorException.class,
                        e ->
                                assertThat(e.getStanzaError().getCondition())
                                        .isEqualTo(StanzaError.Condition.bad_request));
        assertThat(host.admin().links).doesNotContainKey("broken");

        RemoteCommand restart = command(admin, "restart-account");
        restart.execute();
        FillableForm rf = new FillableForm(restart.getForm());
        rf.setAnswer("account", "libera");
        restart.complete(rf);
        assertThat(restart.isCompleted()).isTrue();
        assertThat(host.admin().restarts).contains("libera");

        assertThatThrownBy(() -> command(admin, "no-such-command").execute())
                .isInstanceOfSatisfying(
                        XMPPException.XMPPErrorException.class,
                        e ->
                                assertThat(e.getStanzaError().getCondition())
                                        .isEqualTo(StanzaError.Condition.item_not_found));
    }

    @Test
    void anUnparsableCommandIsAnsweredWithBadRequest() throws Exception {
        // a submitted form whose untyped field carries two values: Smack cannot parse it as the
        // text-single it has to assume, so the component answers from the raw stanza
        RawCommand iq =
                new RawCommand(
                        "<x xmlns='jabber:x:data' type='submit'><field var='name'>"
                                + "<value>a</value><value>b</value></field></x>");
        iq.setType(org.jivesoftware.smack.packet.IQ.Type.set);
        iq.setTo(component);
        assertThatThrownBy(() -> admin.sendIqRequestAndWaitForResponse(iq))
                .isInstanceOfSatisfying(
                        XMPPException.XMPPErrorException.class,
                        e -> {
                            assertThat(e.getStanzaError().getCondition())
                                    .isEqualTo(StanzaError.Condition.bad_request);
                            assertThat(e.getStanzaError().getDescriptiveText())
                                    .contains("malformed");
                        });
    }

    /** A command IQ with hand-written content. */
    private static final class RawCommand extends org.jivesoftware.smack.packet.IQ {
        private final String form;

        RawCommand(String form) {
            super("command", "http://jabber.org/protocol/commands");
            this.form = form;
        }

        @Override
        protected IQChildElementXmlStringBuilder getIQChildElementBuilder(
                IQChildElementXmlStringBuilder xml) {
            xml.attribute("node", "list-accounts");
            xml.attribute("action", "execute");
            xml.rightAngleBracket();
            xml.append(form);
            return xml;
        }
    }

    private static String value(DataForm.Item item, String var) {
        return item.getFields().stream()
                .filter(f -> f.getFieldName().equals(var))
                .map(FormField::getFirstValue)
                .findFirst()
                .orElse(null);
    }
}
