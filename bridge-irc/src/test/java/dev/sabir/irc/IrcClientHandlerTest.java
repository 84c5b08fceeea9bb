package dev.sabir.irc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.sabir.irc.codec.IrcMessage;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.timeout.IdleStateEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Registration, CAP 302, SASL and keep-alive against a scripted server on an EmbeddedChannel. */
class IrcClientHandlerTest {

    private final List<IrcMessage> after = new ArrayList<>();
    private final List<String> failures = new ArrayList<>();
    private boolean ready;

    private EmbeddedChannel channel(IrcSettings.Sasl sasl) {
        IrcClientHandler h =
                new IrcClientHandler(
                        new IrcClientHandler.Registration("bot", "botuser", "Bot", null, sasl, 9),
                        new IrcClientHandler.Events() {
                            @Override
                            public void ready(IrcClientHandler handler) {
                                ready = true;
                            }

                            @Override
                            public void message(IrcMessage message) {
                                after.add(message);
                            }

                            @Override
                            public void failed(String reason) {
                                failures.add(reason);
                            }
                        });
        return new EmbeddedChannel(h);
    }

    private static void server(EmbeddedChannel ch, String line) {
        ch.writeInbound(IrcMessage.parse(line));
    }

    private static List<String> sent(EmbeddedChannel ch) {
        List<String> out = new ArrayList<>();
        Object o;
        while ((o = ch.readOutbound()) != null) {
            out.add(((IrcMessage) o).encode());
        }
        return out;
    }

    @Test
    void negotiatesCapabilitiesOverSeveralLsLines() {
        EmbeddedChannel ch = channel(null);
        assertThat(sent(ch)).containsExactly("CAP LS 302", "NICK bot", "USER botuser 0 * Bot");
        server(ch, ":srv CAP * LS * :multi-prefix away-notify");
        assertThat(sent(ch)).isEmpty();
        server(ch, ":srv CAP * LS :server-time echo-message message-tags chghost");
        assertThat(sent(ch))
                .containsExactly(
                        "CAP REQ :message-tags server-time echo-message multi-prefix away-notify");
        server(
                ch,
                ":srv CAP bot ACK :message-tags server-time echo-message multi-prefix away-notify");
        assertThat(sent(ch)).containsExactly("CAP END");
        server(ch, ":srv 001 bot :Welcome");
        server(ch, ":srv 005 bot NICKLEN=16 CHANTYPES=# :are supported");
        server(ch, ":srv 376 bot :End of MOTD");
        assertThat(ready).isTrue();
        IrcClientHandler h = ch.pipeline().get(IrcClientHandler.class);
        assertThat(h.enabledCaps()).contains("echo-message", "server-time");
        assertThat(h.nickLength()).isEqualTo(16);
        assertFalse(ch.finish());
    }

    @Test
    void saslPlainSendsTheCredentialsAndEndsCap() {
        EmbeddedChannel ch = channel(new IrcSettings.Sasl("PLAIN", "acct", "s3cret"));
        sent(ch);
        server(ch, ":srv CAP * LS :sasl=PLAIN,EXTERNAL multi-prefix");
        assertThat(sent(ch)).containsExactly("CAP REQ :multi-prefix sasl");
        server(ch, ":srv CAP bot ACK :multi-prefix sasl");
        assertThat(sent(ch)).containsExactly("AUTHENTICATE PLAIN");
        server(ch, "AUTHENTICATE +");
        List<String> auth = sent(ch);
        assertThat(auth).hasSize(1);
        String decoded =
                new String(
                        Base64.getDecoder().decode(auth.get(0).substring("AUTHENTICATE ".length())),
                        StandardCharsets.UTF_8);
        assertThat(decoded).isEqualTo("\0acct\0s3cret");
        server(ch, ":srv 900 bot bot!u@h acct :You are now logged in");
        server(ch, ":srv 903 bot :SASL authentication successful");
        assertThat(sent(ch)).containsExactly("CAP END");
        assertThat(failures).isEmpty();
        assertFalse(ch.finish());
    }

    @Test
    void saslExternalAnswersWithPlus() {
        EmbeddedChannel ch = channel(new IrcSettings.Sasl("EXTERNAL", "", ""));
        sent(ch);
        server(ch, ":srv CAP * LS :sasl");
        assertThat(sent(ch)).containsExactly("CAP REQ sasl");
        server(ch, ":srv CAP bot ACK sasl");
        assertThat(sent(ch)).containsExactly("AUTHENTICATE EXTERNAL");
        server(ch, "AUTHENTICATE +");
        assertThat(sent(ch)).containsExactly("AUTHENTICATE +");
        server(ch, ":srv 903 bot :ok");
        assertThat(sent(ch)).containsExactly("CAP END");
        assertFalse(ch.finish());
    }

    @Test
    void failedSaslClosesTheConnection() {
        EmbeddedChannel ch = channel(new IrcSettings.Sasl("PLAIN", "acct", "wrong"));
        sent(ch);
        server(ch, ":srv CAP * LS :sasl");
        server(ch, ":srv CAP bot ACK sasl");
        server(ch, "AUTHENTICATE +");
        server(ch, ":srv 904 bot :SASL authentication failed");
        assertThat(failures)
                .singleElement()
                .asString()
                .contains("SASL PLAIN login failed")
                .doesNotContain("wrong");
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void saslRequiredButNotOfferedFails() {
        EmbeddedChannel ch = channel(new IrcSettings.Sasl("PLAIN", "acct", "pw"));
        sent(ch);
        server(ch, ":srv CAP * LS :multi-prefix");
        assertThat(failures).singleElement().asString().contains("does not offer SASL");
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void nickCollisionTriesAlternativesWithinNickLength() {
        EmbeddedChannel ch = channel(null);
        sent(ch);
        server(ch, ":srv CAP * LS :");
        assertThat(sent(ch)).containsExactly("CAP END");
        server(ch, ":srv 433 * bot :Nickname is already in use");
        assertThat(sent(ch)).containsExactly("NICK bot_");
        server(ch, ":srv 433 * bot_ :Nickname is already in use");
        assertThat(sent(ch)).containsExactly("NICK bot__");
        server(ch, ":srv 001 bot__ :Welcome");
        server(ch, ":srv 422 bot__ :No MOTD");
        assertThat(ready).isTrue();
        assertThat(ch.pipeline().get(IrcClientHandler.class).nick()).isEqualTo("bot__");
        assertThat(IrcClientHandler.alternative("abcdefghi", 1, 9)).isEqualTo("abcdefgh_");
        assertThat(IrcClientHandler.alternative("abcdefghi", 5, 9)).hasSize(9).startsWith("abcdef");
        assertFalse(ch.finish());
    }

    @Test
    void answersPingsAndDetectsASilentServer() {
        EmbeddedChannel ch = channel(null);
        sent(ch);
        server(ch, ":srv CAP * LS :");
        server(ch, ":srv 001 bot :Welcome");
        server(ch, ":srv 376 bot :End");
        sent(ch);
        server(ch, "PING :abc");
        assertThat(sent(ch)).containsExactly("PONG abc");
        ch.pipeline().fireUserEventTriggered(IdleStateEvent.READER_IDLE_STATE_EVENT);
        assertThat(sent(ch)).singleElement().asString().startsWith("PING ");
        server(ch, ":srv PONG srv :x");
        ch.pipeline().fireUserEventTriggered(IdleStateEvent.READER_IDLE_STATE_EVENT);
        assertThat(ch.isOpen()).isTrue();
        sent(ch);
        ch.pipeline().fireUserEventTriggered(IdleStateEvent.READER_IDLE_STATE_EVENT);
        assertThat(failures).containsExactly("ping timeout");
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void messagesAfterRegistrationArePassedOnAndOwnPrefixIsLearned() {
        EmbeddedChannel ch = channel(null);
        sent(ch);
        server(ch, ":srv CAP * LS :");
        server(ch, ":srv 001 bot :Welcome");
        server(ch, ":srv 376 bot :End");
        IrcClientHandler h = ch.pipeline().get(IrcClientHandler.class);
        int estimate = h.relayPrefixBytes();
        server(ch, ":bot!~botuser@10.0.0.1 JOIN #x");
        assertThat(h.relayPrefixBytes())
                .isEqualTo(":bot!~botuser@10.0.0.1 ".length())
                .isLessThan(estimate);
        server(ch, ":al!a@h PRIVMSG #x :hi");
        assertThat(after).extracting(IrcMessage::command).contains("JOIN", "PRIVMSG");
        assertThat(sent(ch)).containsExactly("CAP END");
        assertFalse(ch.finish());
    }
}
