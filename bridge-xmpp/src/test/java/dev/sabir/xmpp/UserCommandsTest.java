package dev.sabir.xmpp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sabir.api.Gateway;
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
import org.jivesoftware.smackx.disco.packet.DiscoverItems;
import org.jivesoftware.smackx.xdata.FormField;
import org.jivesoftware.smackx.xdata.ListSingleFormField;
import org.jivesoftware.smackx.xdata.form.FillableForm;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.jxmpp.jid.Jid;
import org.jxmpp.jid.impl.JidCreate;

/**
 * The users' ad-hoc commands (register and unregister personal accounts) against a real Prosody,
 * run with Smack's AdHocCommandManager by an allowed user and by a stranger.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UserCommandsTest {
    private Prosody prosody;
    private LocalHost host;
    private Session session;
    private XMPPTCPConnection alice;
    private XMPPTCPConnection mallory;
    private Jid component;

    @BeforeAll
    void start(@TempDir Path tmp) throws Exception {
        prosody = XmppFixture.prosody();
        prosody.register("alice", "pw");
        prosody.register("mallory", "pw");
        host = new LocalHost(tmp);
        session =
                XmppFixture.open(
                        XmppFixture.componentAccount(
                                "comp",
                                prosody,
                                XmppFixture.SECRET,
                                Map.of("allow", List.of("alice@localhost"))),
                        host,
                        new Sink());
        session.connect().toCompletableFuture().get(10, TimeUnit.SECONDS);
        alice = XmppFixture.user(prosody, "alice");
        mallory = XmppFixture.user(prosody, "mallory");
        component = JidCreate.from(XmppFixture.COMPONENT);
    }

    @AfterAll
    void stop() throws Exception {
        for (XMPPTCPConnection c : new XMPPTCPConnection[] {alice, mallory}) {
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

    @BeforeEach
    void forget() {
        host.gateway().accounts.clear();
    }

    private RemoteCommand command(XMPPTCPConnection c, String node) {
        return AdHocCommandManager.getAddHocCommandsManager(c).getRemoteCommand(component, node);
    }

    /** Runs stage one of register (choosing the network) and returns the command at stage two. */
    private RemoteCommand chooseLoopback() throws Exception {
        RemoteCommand cmd = command(alice, "register");
        cmd.execute();
        assertThat(cmd.getStatus()).isEqualTo(AdHocCommand.Status.executing);
        FormField protocol = cmd.getForm().getField("protocol");
        assertThat(protocol.getType()).isEqualTo(FormField.Type.list_single);
        assertThat(((ListSingleFormField) protocol).getOptions())
                .extracting(o -> o.getValueString())
                .containsExactly("loopback");
        FillableForm choice = new FillableForm(cmd.getForm());
        choice.setAnswer("protocol", "loopback");
        cmd.next(choice);
        assertThat(cmd.getStatus()).isEqualTo(AdHocCommand.Status.executing);
        return cmd;
    }

    @Test
    void allowedUsersSeeTheUserCommandsOnly() throws Exception {
        DiscoverItems items =
                AdHocCommandManager.getAddHocCommandsManager(alice).discoverCommands(component);
        assertThat(items.getItems())
                .extracting(DiscoverItems.Item::getNode)
                .containsExactly("register", "unregister");
    }

    @Test
    void strangersSeeNothingAndAreForbidden() throws Exception {
        assertThat(
                        AdHocCommandManager.getAddHocCommandsManager(mallory)
                                .discoverCommands(component)
                                .getItems())
                .isEmpty();
        for (String node : List.of("register", "unregister")) {
            assertThatThrownBy(() -> command(mallory, node).execute())
                    .isInstanceOfSatisfying(
                            XMPPException.XMPPErrorException.class,
                            e ->
                                    assertThat(e.getStanzaError().getCondition())
                                            .isEqualTo(StanzaError.Condition.forbidden));
        }
        assertThat(host.gateway().accounts).isEmpty();
    }

    @Test
    void registerInTwoStagesThenUnregister() throws Exception {
        RemoteCommand cmd = chooseLoopback();
        assertThat(cmd.getForm().getField("nick").getType()).isEqualTo(FormField.Type.text_single);
        assertThat(cmd.getForm().getField("nick").isRequired()).isTrue();
        assertThat(cmd.getForm().getField("password").getType())
                .isEqualTo(FormField.Type.text_private);
        assertThat(cmd.getForm().getField("protocol")).isNull();
        FillableForm fields = new FillableForm(cmd.getForm());
        fields.setAnswer("nick", "alice");
        fields.setAnswer("password", "s3cret");
        cmd.complete(fields);
        assertThat(cmd.isCompleted()).isTrue();
        assertThat(cmd.getNotes()).anyMatch(n -> n.getValue().contains("loopback-alice"));
        Gateway.PersonalAccount pa = host.gateway().accounts.get("loopback-alice");
        assertThat(pa.protocol()).isEqualTo("loopback");
        assertThat(pa.owner()).isEqualTo("alice@localhost");
        assertThat(pa.gatewayAccount()).isEqualTo("comp");
        assertThat(host.gateway().lastSettings).containsEntry("nick", "alice");
        assertThat(host.gateway().lastSettings).containsEntry("password", "s3cret");

        RemoteCommand un = command(alice, "unregister");
        un.execute();
        FormField choice = un.getForm().getField("protocol");
        assertThat(choice.getType()).isEqualTo(FormField.Type.list_single);
        assertThat(((ListSingleFormField) choice).getOptions())
                .extracting(o -> o.getValueString())
                .containsExactly("loopback");
        FillableForm uf = new FillableForm(un.getForm());
        uf.setAnswer("protocol", "loopback");
        un.complete(uf);
        assertThat(un.isCompleted()).isTrue();
        assertThat(host.gateway().accounts).isEmpty();
    }

    @Test
    void badInputIsAnErrorAndRegistersNothing() throws Exception {
        RemoteCommand blank = chooseLoopback();
        FillableForm fields = new FillableForm(blank.getForm());
        fields.setAnswer("nick", "  ");
        assertThatThrownBy(() -> blank.complete(fields))
                .isInstanceOfSatisfying(
                        XMPPException.XMPPErrorException.class,
                        e -> {
                            assertThat(e.getStanzaError().getCondition())
                                    .isEqualTo(StanzaError.Condition.bad_request);
                            assertThat(e.getStanzaError().getDescriptiveText())
                                    .contains("required");
                        });

        RemoteCommand refused = chooseLoopback();
        FillableForm bad = new FillableForm(refused.getForm());
        bad.setAnswer("nick", "bad");
        assertThatThrownBy(() -> refused.complete(bad))
                .isInstanceOfSatisfying(
                        XMPPException.XMPPErrorException.class,
                        e -> {
                            assertThat(e.getStanzaError().getCondition())
                                    .isEqualTo(StanzaError.Condition.bad_request);
                            assertThat(e.getStanzaError().getDescriptiveText()).contains("refused");
                        });
        assertThat(host.gateway().accounts).isEmpty();
    }
}
