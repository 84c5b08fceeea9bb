package dev.sabir.xmpp.files;

import dev.sabir.api.AccountConfig;
import dev.sabir.api.InvalidConfigException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * File transfer keys of an account (component or client mode).
 *
 * @param serverDomain the XMPP server's domain, where the upload service is looked for by disco
 * @param uploadService the XEP-0363 service's JID ({@code upload_service}); null to discover it,
 *     empty when uploads are off ({@code upload_service: none})
 * @param maxDownloadBytes the largest file fetched from a link ({@code max_download_bytes}, default
 *     100 MB)
 * @param httpTimeout connect and response-header timeout ({@code http_timeout_seconds}, default 30)
 * @param transferTimeout longest time for one whole upload or download ({@code
 *     transfer_timeout_seconds}, default 300)
 * @param downloadHosts hosts links are fetched from ({@code download_hosts}: {@code host} for any
 *     port or {@code host:port}); the server's domain, the upload service's domain and the hosts of
 *     slots the bridge was given are always allowed
 * @param maxConcurrentDownloads downloads at the same time per account ({@code
 *     download_concurrency}, default 4); further links are skipped with a log line
 */
public record FileSettings(
        String serverDomain,
        String uploadService,
        long maxDownloadBytes,
        Duration httpTimeout,
        Duration transferTimeout,
        List<String> downloadHosts,
        int maxConcurrentDownloads) {

    /** Reads and checks the keys. */
    public static FileSettings from(AccountConfig a, String serverDomain)
            throws InvalidConfigException {
        String upload = a.has("upload_service") ? a.string("upload_service").trim() : null;
        if (upload != null && upload.equalsIgnoreCase("none")) {
            upload = "";
        }
        List<String> hosts = new ArrayList<>();
        for (String h : a.strings("download_hosts")) {
            String t = h.trim().toLowerCase(Locale.ROOT);
            if (t.isEmpty() || t.contains("/")) {
                throw new InvalidConfigException(
                        "download_hosts", "'" + h + "' is not a host or host:port");
            }
            hosts.add(t);
        }
        return new FileSettings(
                serverDomain.toLowerCase(Locale.ROOT),
                upload,
                a.integer("max_download_bytes", 100 * 1024 * 1024, 1, Integer.MAX_VALUE),
                Duration.ofSeconds(a.integer("http_timeout_seconds", 30, 1, 600)),
                Duration.ofSeconds(a.integer("transfer_timeout_seconds", 300, 1, 86_400)),
                List.copyOf(hosts),
                a.integer("download_concurrency", 4, 1, 64));
    }

    /** True when uploads through the server's service are off. */
    public boolean uploadsOff() {
        return uploadService != null && uploadService.isEmpty();
    }

    /**
     * True when a host (with the URI's port) matches an entry: {@code host} matches any port,
     * {@code host:port} only that port.
     */
    public static boolean matches(List<String> entries, URI uri) {
        String host = uri.getHost();
        if (host == null) {
            return false;
        }
        host = host.toLowerCase(Locale.ROOT);
        int port = uri.getPort() >= 0 ? uri.getPort() : "https".equals(uri.getScheme()) ? 443 : 80;
        for (String e : entries) {
            if (e.equals(host) || e.equals(host + ":" + port)) {
                return true;
            }
        }
        return false;
    }
}
