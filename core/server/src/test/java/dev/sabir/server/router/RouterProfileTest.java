package dev.sabir.server.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sabir.api.Address;
import dev.sabir.api.Capability;
import dev.sabir.api.Delivery;
import dev.sabir.api.ProfileUpdate;
import dev.sabir.api.Sender;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Profiles travel live, only where avatars can be shown, and are repeated to late arrivals. */
class RouterProfileTest extends RouterFixture {
    private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3};

    private static ProfileUpdate profile(Address conv, Sender who, String name) {
        return new ProfileUpdate(conv, who, name, "about " + name, PNG, "image/png");
    }

    @Test
    void aProfileIsRelayedLiveOnlyWhereAvatarsCanBeShown() {
        open().setConfiguredLinks(List.of(link("main", null, TOR, XMPP, IRC)));
        FakeSession xmpp = new FakeSession("xmpp");
        FakeSession irc = new FakeSession("irc");
        router.attach(XMPP.accountAddress(), xmpp, ALL);
        router.attach(
                IRC.accountAddress(), irc, EnumSet.complementOf(EnumSet.of(Capability.AVATARS)));

        router.accept(profile(TOR, Sender.self("me"), "myself"));
        router.accept(profile(TOR, Sender.of("tom"), "Tom"));
        router.accept(msg(TOR, "tom", "t1", "marker"));

        awaitCount(xmpp, 2);
        awaitCount(irc, 1);
        awaitPending(0);
        assertThat(irc.delivered())
                .extracting(Delivery::event)
                .allMatch(e -> !(e instanceof ProfileUpdate));
        Delivery d = xmpp.delivered().get(0);
        assertThat(d.id()).as("live, not stored").isZero();
        ProfileUpdate p = (ProfileUpdate) d.event();
        assertThat(p.conversation()).isEqualTo(XMPP);
        assertThat(p.who().id()).isEqualTo("tom");
        assertThat(p.displayName()).isEqualTo("Tom");
        assertThat(p.text()).isEqualTo("about Tom");
        assertThat(p.avatar()).containsExactly(PNG);
        assertThat(p.avatarType()).isEqualTo("image/png");
        assertThat(router.profilesOf(TOR)).extracting(q -> q.who().id()).containsExactly("tom");
    }

    @Test
    void aDestinationComingOnlineGetsTheLatestProfileOfEachUser() {
        open().setConfiguredLinks(List.of(link("main", null, TOR, XMPP)));
        router.accept(profile(TOR, Sender.of("tom"), "Tom old"));
        router.accept(profile(TOR, Sender.of("ann"), "Ann"));
        router.accept(new ProfileUpdate(TOR, Sender.of("tom"), "Tom", "", null, null));
        await().atMost(Duration.ofSeconds(5))
                .until(
                        () ->
                                router.profilesOf(TOR).size() == 2
                                        && router.profilesOf(TOR)
                                                .get(1)
                                                .displayName()
                                                .equals("Tom"));

        FakeSession xmpp = new FakeSession("xmpp");
        router.attach(XMPP.accountAddress(), xmpp, ALL);

        awaitCount(xmpp, 2);
        assertThat(xmpp.delivered())
                .extracting(d -> (ProfileUpdate) d.event())
                .allSatisfy(p -> assertThat(p.conversation()).isEqualTo(XMPP))
                .extracting(ProfileUpdate::displayName)
                .containsExactly("Ann", "Tom");
        ProfileUpdate tom = (ProfileUpdate) xmpp.delivered().get(1).event();
        assertThat(tom.hasAvatar()).isFalse();
        assertThat(tom.avatarType()).isNull();
    }

    @Test
    void aGatewayComingOnlineGetsThePersonalAccountsProfiles() {
        Address personal = Address.parse("torchat:alice-tor");
        Address gatewayAccount = Address.parse("xmpp:component");
        Address buddy = personal.withId("bbbbbbbbbbbbbbbb");
        open().setGatewayRoute(personal, gatewayAccount, "alice@example.org");
        FakeSession gateway = new FakeSession("gw");
        router.attach(gatewayAccount, gateway, ALL);

        router.accept(profile(buddy, Sender.of(buddy.id(), "Bob"), "Bob"));
        awaitCount(gateway, 1);
        assertThat(gateway.last().destination()).isEqualTo(buddy);

        router.detach(gatewayAccount);
        FakeSession again = new FakeSession("gw2");
        router.attach(gatewayAccount, again, ALL);
        awaitCount(again, 1);
        Delivery d = again.last();
        assertThat(d.destination()).isEqualTo(buddy);
        assertThat(((ProfileUpdate) d.event()).displayName()).isEqualTo("Bob");
        assertThat(((ProfileUpdate) d.event()).avatar()).containsExactly(PNG);
    }

    @Test
    void rememberedProfilesStayWithinTheirByteBudget() {
        open().setConfiguredLinks(List.of(link("main", null, TOR, XMPP)));
        byte[] big = new byte[ProfileUpdate.MAX_AVATAR];
        int n = 40; // 10 MiB of avatars, over the 8 MiB a conversation keeps
        for (int i = 0; i < n; i++) {
            router.accept(
                    new ProfileUpdate(TOR, Sender.of("u" + i), "User " + i, "", big, "image/png"));
        }
        router.accept(profile(TOR, Sender.of("last"), "Last"));
        await().atMost(Duration.ofSeconds(5))
                .until(
                        () -> {
                            List<ProfileUpdate> kept = router.profilesOf(TOR);
                            return !kept.isEmpty()
                                    && kept.get(kept.size() - 1).who().id().equals("last");
                        });
        List<ProfileUpdate> kept = router.profilesOf(TOR);
        long bytes = kept.stream().mapToLong(ProfileUpdate::avatarLength).sum();
        assertThat(bytes).isLessThanOrEqualTo(Router.MAX_PROFILE_BYTES_PER_CONVERSATION);
        assertThat(kept.size()).isBetween(20, 33);
        // the oldest went first: the newest big ones are still there
        assertThat(kept).extracting(p -> p.who().id()).contains("u39", "u30").doesNotContain("u0");
    }

    @Test
    void theProfileRecordCopiesAndLimitsItsAvatar() {
        byte[] bytes = PNG.clone();
        ProfileUpdate p = new ProfileUpdate(TOR, Sender.of("tom"), null, null, bytes, "image/png");
        bytes[0] = 0;
        assertThat(p.avatar()[0]).isEqualTo((byte) 0x89);
        p.avatar()[1] = 0;
        assertThat(p.avatar()[1]).isEqualTo((byte) 'P');
        assertThat(p.displayName()).isEmpty();
        assertThat(p).isEqualTo(new ProfileUpdate(TOR, Sender.of("tom"), "", "", PNG, "image/png"));
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () ->
                                new ProfileUpdate(
                                        TOR,
                                        Sender.of("tom"),
                                        "",
                                        "",
                                        new byte[ProfileUpdate.MAX_AVATAR + 1],
                                        "image/png"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
