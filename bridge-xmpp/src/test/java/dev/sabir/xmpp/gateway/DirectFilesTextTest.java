package dev.sabir.xmpp.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sabir.api.Address;
import dev.sabir.api.Delivery;
import dev.sabir.api.FileOffer;
import dev.sabir.api.Sender;
import org.junit.jupiter.api.Test;

/** The texts a gateway user sees with a direct transfer: sizes, the note, the description. */
class DirectFilesTextTest {
    private static final Address BOB = new Address("loopback", "lb-alice", "bob");

    private static Delivery delivery(Sender sender, long size) {
        FileOffer fo = new FileOffer(BOB, sender, "o1", "report.pdf", size, null, null, "s1");
        return new Delivery(1, BOB, fo, new Address("irc", "libera", "bob"), "");
    }

    @Test
    void sizesReadLikeAFileManagerShowsThem() {
        assertThat(DirectFiles.humanSize(0)).isEqualTo("0 B");
        assertThat(DirectFiles.humanSize(1023)).isEqualTo("1023 B");
        assertThat(DirectFiles.humanSize(12 * 1024 + 100)).isEqualTo("12 KB");
        assertThat(DirectFiles.humanSize(3 * 1024 * 1024 / 2)).isEqualTo("1.5 MB");
        assertThat(DirectFiles.humanSize(5L * 1024 * 1024 * 1024)).isEqualTo("5.0 GB");
    }

    @Test
    void theNoteIsAnActionOfTheContactOrNamesAnotherSender() {
        Delivery own = delivery(Sender.of("bob", "Bob"), 12 * 1024);
        assertThat(DirectFiles.noticeText(own, (FileOffer) own.event()))
                .isEqualTo("/me sends report.pdf (12 KB) by direct transfer");
        Delivery other = delivery(Sender.of("carol", "Carol"), -1);
        assertThat(DirectFiles.noticeText(other, (FileOffer) other.event()))
                .isEqualTo("<Carol> sends report.pdf by direct transfer");
        assertThat(DirectFiles.description(own, (FileOffer) own.event()))
                .isEqualTo("From Bob on irc");
    }
}
