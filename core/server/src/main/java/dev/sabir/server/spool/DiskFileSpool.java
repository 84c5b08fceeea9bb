package dev.sabir.server.spool;

import dev.sabir.api.Address;
import dev.sabir.api.EventSink;
import dev.sabir.api.FileSpool;
import dev.sabir.server.config.SabirConfig;
import java.net.URI;
import java.util.Optional;

/** The file spool on disk: resumable, checked, limited, with sanitised names. */
public final class DiskFileSpool implements FileSpool, AutoCloseable {

    /**
     * @param settings folder and limits
     * @param publicBase base URL of the admin HTTP file endpoint, e.g. {@code http://127.0.0.1:8470/}
     * @param progress where progress events go (the router)
     */
    public DiskFileSpool(SabirConfig.Spool settings, URI publicBase, EventSink progress) {}

    @Override
    public Upload receive(Address source, String offerId, String name, long size, String sha256)
            throws SpoolException {
        throw new SpoolException("not implemented");
    }

    @Override
    public Optional<SpooledFile> find(String spoolId) {
        return Optional.empty();
    }

    @Override
    public URI link(String spoolId) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void close() {}
}
