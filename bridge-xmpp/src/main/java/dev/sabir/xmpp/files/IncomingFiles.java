package dev.sabir.xmpp.files;

import dev.sabir.api.Address;
import dev.sabir.api.FileOffer;
import dev.sabir.api.FileSpool;
import dev.sabir.api.Sender;
import dev.sabir.xmpp.element.OobElement;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smackx.message_correct.element.MessageCorrectExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Files in: links to the server's upload service in messages from XMPP users (an XEP-0066 {@code
 * jabber:x:oob} URL, or an http(s) link in the body) are downloaded into the host's spool and
 * reported as {@link FileOffer}s. Links to other hosts are left alone (the bridge does not fetch
 * arbitrary URLs); failures are one log line and no offer.
 */
public final class IncomingFiles implements FileScanner {
    private static final Logger LOG = LoggerFactory.getLogger(IncomingFiles.class);
    private static final Pattern LINK = Pattern.compile("https?://[^\\s<>\"']+");
    private static final int MAX_LINKS = 4;

    private final String name;
    private final FileSettings settings;
    private final HttpTransfers http;
    private final FileSpool spool;
    private final UploadClient uploads;
    private final AtomicInteger running = new AtomicInteger();

    /**
     * @param name the account's name for log lines
     * @param settings file settings
     * @param http the HTTP side
     * @param spool the host's spool
     * @param uploads the upload client (its service and slot hosts are trusted for downloads)
     */
    public IncomingFiles(
            String name,
            FileSettings settings,
            HttpTransfers http,
            FileSpool spool,
            UploadClient uploads) {
        this.name = name;
        this.settings = settings;
        this.http = http;
        this.spool = spool;
        this.uploads = uploads;
    }

    /** Hosts links may be fetched from right now. */
    public List<String> trustedHosts() {
        List<String> hosts = new ArrayList<>(settings.downloadHosts());
        hosts.add(settings.serverDomain());
        if (settings.uploadService() != null && !settings.uploadService().isEmpty()) {
            hosts.add(settings.uploadService().toLowerCase(java.util.Locale.ROOT));
        }
        uploads.service()
                .getNow(Optional.empty())
                .ifPresent(s -> hosts.add(s.jid().toString().toLowerCase(java.util.Locale.ROOT)));
        hosts.addAll(uploads.learnedHosts());
        return hosts;
    }

    /** The links in a message that point at a trusted host (at most four, OOB first). */
    public List<URI> links(Message m) {
        Set<String> found = new LinkedHashSet<>();
        OobElement oob = m.getExtension(OobElement.class);
        if (oob != null && !oob.url().isBlank()) {
            found.add(oob.url().trim());
        }
        if (m.getBody() != null) {
            Matcher mt = LINK.matcher(m.getBody());
            while (mt.find()) {
                found.add(mt.group());
            }
        }
        if (found.isEmpty()) {
            return List.of();
        }
        List<String> trusted = trustedHosts();
        List<URI> out = new ArrayList<>();
        for (String s : found) {
            URI u;
            try {
                u = new URI(s);
            } catch (java.net.URISyntaxException e) {
                continue;
            }
            String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase();
            if ((scheme.equals("http") || scheme.equals("https"))
                    && FileSettings.matches(trusted, u)
                    && out.size() < MAX_LINKS) {
                out.add(u);
            }
        }
        return out;
    }

    @Override
    public void scan(
            Message m,
            Address conversation,
            Sender sender,
            String messageId,
            Consumer<FileOffer> emit) {
        if (m.getBody() == null || MessageCorrectExtension.from(m) != null) {
            return;
        }
        List<URI> links = links(m);
        for (int i = 0; i < links.size(); i++) {
            URI url = links.get(i);
            if (running.incrementAndGet() > settings.maxConcurrentDownloads()) {
                running.decrementAndGet();
                LOG.warn(
                        "xmpp {}: file link {} skipped: {} downloads already running",
                        name,
                        shown(url),
                        settings.maxConcurrentDownloads());
                continue;
            }
            String offerId = messageId + "#" + i;
            http.download(url, spool, conversation, offerId, settings.maxDownloadBytes())
                    .whenComplete(
                            (d, err) -> {
                                running.decrementAndGet();
                                if (err != null) {
                                    LOG.warn(
                                            "xmpp {}: file from {} in {} not fetched: {}",
                                            name,
                                            shown(url),
                                            conversation,
                                            err.getMessage());
                                    return;
                                }
                                FileSpool.SpooledFile f = d.file();
                                LOG.info(
                                        "xmpp {}: fetched {} ({} bytes) from {} into spool {}",
                                        name,
                                        f.name(),
                                        f.size(),
                                        shown(url),
                                        f.spoolId());
                                String type = d.mediaType() != null ? d.mediaType() : f.mediaType();
                                if (type != null && type.indexOf(';') > 0) {
                                    type = type.substring(0, type.indexOf(';')).trim();
                                }
                                FileOffer offer =
                                        new FileOffer(
                                                conversation,
                                                sender,
                                                offerId,
                                                f.name(),
                                                f.size(),
                                                f.sha256(),
                                                type,
                                                f.spoolId());
                                try {
                                    emit.accept(offer);
                                } catch (RuntimeException e) {
                                    LOG.warn(
                                            "xmpp {}: file offer {} not passed on: {}",
                                            name,
                                            offerId,
                                            e.toString());
                                }
                            });
        }
    }

    /** A link for log lines: scheme, host, port and path, no query. */
    private static String shown(URI u) {
        return u.getScheme()
                + "://"
                + u.getHost()
                + (u.getPort() >= 0 ? ":" + u.getPort() : "")
                + (u.getRawPath() == null ? "" : u.getRawPath());
    }
}
