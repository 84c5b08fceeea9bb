package dev.sabir.xmpp.files;

import dev.sabir.api.FileSpool;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jivesoftware.smack.packet.IQ;
import org.jivesoftware.smackx.disco.packet.DiscoverInfo;
import org.jivesoftware.smackx.disco.packet.DiscoverItems;
import org.jivesoftware.smackx.httpfileupload.element.Slot;
import org.jivesoftware.smackx.httpfileupload.element.SlotRequest;
import org.jivesoftware.smackx.xdata.FormField;
import org.jivesoftware.smackx.xdata.packet.DataForm;
import org.jxmpp.jid.DomainBareJid;
import org.jxmpp.jid.Jid;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.stringprep.XmppStringprepException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts spooled files on the XMPP server's XEP-0363 upload service: finds the service by disco (or
 * takes the configured one), asks it for a slot (as the component, or as a client account whose
 * connection addresses its stanzas itself), and PUTs the bytes. Thread-safe.
 */
public final class UploadClient {
    private static final Logger LOG = LoggerFactory.getLogger(UploadClient.class);

    /** The XEP-0363 namespace. */
    public static final String NS_UPLOAD = "urn:xmpp:http:upload:0";

    private static final Duration REDISCOVER = Duration.ofMinutes(10);

    /** Sends an IQ from the component and completes with the answer (errors fail the future). */
    @FunctionalInterface
    public interface IqRequester {
        /** Sends the request; the future fails on an error reply or a timeout. */
        CompletableFuture<IQ> request(IQ request);
    }

    /**
     * The upload service found.
     *
     * @param jid its address
     * @param maxFileSize its size limit, or -1 when it announced none
     */
    public record Service(DomainBareJid jid, long maxFileSize) {}

    private final DomainBareJid self;
    private final String who;
    private final FileSettings settings;
    private final IqRequester iq;
    private final HttpTransfers http;
    private final Clock clock;
    private final List<String> learnedHosts = new CopyOnWriteArrayList<>();
    private CompletableFuture<Optional<Service>> service;
    private Instant discoveredAt = Instant.MIN;

    /**
     * @param self the component's domain (slots are requested from it)
     * @param settings file settings
     * @param iq how IQs are sent
     * @param http the HTTP side
     * @param clock the host's clock
     */
    public UploadClient(
            DomainBareJid self,
            FileSettings settings,
            IqRequester iq,
            HttpTransfers http,
            Clock clock) {
        this(self, "component " + self, settings, iq, http, clock);
    }

    /**
     * For a client account: its IQs carry no {@code from} (the server stamps the account's JID).
     *
     * @param who the account for log lines
     * @param settings file settings
     * @param iq how IQs are sent (over the account's own connection)
     * @param http the HTTP side
     * @param clock the host's clock
     */
    public static UploadClient forClient(
            String who, FileSettings settings, IqRequester iq, HttpTransfers http, Clock clock) {
        return new UploadClient(null, who, settings, iq, http, clock);
    }

    private UploadClient(
            DomainBareJid self,
            String who,
            FileSettings settings,
            IqRequester iq,
            HttpTransfers http,
            Clock clock) {
        this.self = self;
        this.who = who;
        this.settings = settings;
        this.iq = iq;
        this.http = http;
        this.clock = clock;
    }

    /** Forgets the discovered service (after a reconnect the server may have changed). */
    public synchronized void reset() {
        service = null;
    }

    /** Hosts of GET URLs of slots this bridge was given (so links to them may be fetched). */
    public List<String> learnedHosts() {
        return List.copyOf(learnedHosts);
    }

    /** The upload service, discovered once and remembered (a miss is retried after a while). */
    public synchronized CompletableFuture<Optional<Service>> service() {
        if (settings.uploadsOff()) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        CompletableFuture<Optional<Service>> s = service;
        boolean stale =
                s != null
                        && s.isDone()
                        && s.getNow(Optional.empty()).isEmpty()
                        && clock.instant().isAfter(discoveredAt.plus(REDISCOVER));
        if (s == null || stale || s.isCompletedExceptionally()) {
            discoveredAt = clock.instant();
            s = discover();
            service = s;
        }
        return s;
    }

    private CompletableFuture<Optional<Service>> discover() {
        if (settings.uploadService() != null) {
            DomainBareJid jid;
            try {
                jid = JidCreate.domainBareFrom(settings.uploadService());
            } catch (XmppStringprepException e) {
                LOG.warn("upload_service '{}' is not a domain", settings.uploadService());
                return CompletableFuture.completedFuture(Optional.empty());
            }
            return info(jid).thenApply(o -> o.or(() -> Optional.of(new Service(jid, -1))));
        }
        DomainBareJid server;
        try {
            server = JidCreate.domainBareFrom(settings.serverDomain());
        } catch (XmppStringprepException e) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        DiscoverItems req = new DiscoverItems();
        req.setType(IQ.Type.get);
        req.setTo(server);
        req.setFrom(self);
        return iq.request(req)
                .thenCompose(
                        answer -> {
                            List<CompletableFuture<Optional<Service>>> probes = new ArrayList<>();
                            probes.add(info(server));
                            if (answer instanceof DiscoverItems items) {
                                for (DiscoverItems.Item item : items.getItems()) {
                                    Jid j = item.getEntityID();
                                    if (j.isDomainBareJid() && !j.equals(self)) {
                                        probes.add(info(j.asDomainBareJid()));
                                    }
                                }
                            }
                            return CompletableFuture.allOf(probes.toArray(CompletableFuture[]::new))
                                    .thenApply(
                                            v ->
                                                    probes.stream()
                                                            .map(CompletableFuture::join)
                                                            .flatMap(Optional::stream)
                                                            .findFirst());
                        })
                .handle(
                        (found, err) -> {
                            if (err != null) {
                                LOG.info(
                                        "{}: upload service discovery failed: {}",
                                        who,
                                        err.toString());
                                // not remembered: the next file tries again
                                throw new java.util.concurrent.CompletionException(err);
                            }
                            if (found.isEmpty()) {
                                LOG.info(
                                        "{}: no XEP-0363 upload service on {}; files go"
                                                + " out as spool links",
                                        who,
                                        server);
                            } else {
                                LOG.info(
                                        "{}: upload service {} (max {} bytes)",
                                        who,
                                        found.get().jid(),
                                        found.get().maxFileSize());
                            }
                            return found;
                        });
    }

    /** disco#info of one entity: a service when it offers XEP-0363; never fails. */
    private CompletableFuture<Optional<Service>> info(DomainBareJid jid) {
        DiscoverInfo req = DiscoverInfo.builder("sabir-disco").ofType(IQ.Type.get).build();
        req.setTo(jid);
        req.setFrom(self);
        return iq.request(req)
                .handle(
                        (answer, err) -> {
                            if (err != null
                                    || !(answer instanceof DiscoverInfo di)
                                    || !di.containsFeature(NS_UPLOAD)) {
                                return Optional.empty();
                            }
                            return Optional.of(new Service(jid, maxFileSize(di)));
                        });
    }

    private static long maxFileSize(DiscoverInfo di) {
        for (DataForm form : di.getExtensions(DataForm.class)) {
            if (NS_UPLOAD.equals(form.getFormType())) {
                FormField f = form.getField("max-file-size");
                if (f != null && f.getFirstValue() != null) {
                    try {
                        return Long.parseLong(f.getFirstValue().trim());
                    } catch (NumberFormatException e) {
                        return -1;
                    }
                }
            }
        }
        return -1;
    }

    /**
     * Uploads a spooled file.
     *
     * @return the URL others download it from
     */
    public CompletableFuture<URI> upload(FileSpool.SpooledFile file) {
        return service()
                .thenCompose(
                        found -> {
                            if (found.isEmpty()) {
                                return CompletableFuture.failedFuture(
                                        new HttpTransfers.TransferException("no upload service"));
                            }
                            Service s = found.get();
                            if (s.maxFileSize() >= 0 && file.size() > s.maxFileSize()) {
                                return CompletableFuture.failedFuture(
                                        new HttpTransfers.TransferException(
                                                "file of "
                                                        + file.size()
                                                        + " bytes is over the upload service's"
                                                        + " limit of "
                                                        + s.maxFileSize()));
                            }
                            SlotRequest req =
                                    new SlotRequest(
                                            s.jid(), file.name(), file.size(), file.mediaType());
                            req.setFrom(self);
                            return iq.request(req).thenCompose(answer -> put(answer, file));
                        });
    }

    private CompletableFuture<URI> put(IQ answer, FileSpool.SpooledFile file) {
        if (!(answer instanceof Slot slot)) {
            return CompletableFuture.failedFuture(
                    new HttpTransfers.TransferException("the upload service sent no slot"));
        }
        URI putUrl;
        URI getUrl;
        try {
            putUrl = slot.getPutUrl().toURI();
            getUrl = slot.getGetUrl().toURI();
        } catch (URISyntaxException e) {
            return CompletableFuture.failedFuture(
                    new HttpTransfers.TransferException("the slot's URLs are malformed"));
        }
        String host = getUrl.getHost();
        if (host != null) {
            String entry = host.toLowerCase(java.util.Locale.ROOT);
            if (getUrl.getPort() >= 0) {
                entry += ":" + getUrl.getPort();
            }
            if (!learnedHosts.contains(entry)) {
                learnedHosts.add(entry);
            }
        }
        return http.put(putUrl, slot.getHeaders(), file.path(), file.mediaType())
                .thenApply(v -> getUrl);
    }
}
