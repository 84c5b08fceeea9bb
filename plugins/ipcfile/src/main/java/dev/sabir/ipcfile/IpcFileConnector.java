package dev.sabir.ipcfile;

import dev.sabir.api.AccountConfig;
import dev.sabir.api.Capability;
import dev.sabir.api.Connector;
import dev.sabir.api.EventSink;
import dev.sabir.api.HostContext;
import dev.sabir.api.InvalidConfigException;
import dev.sabir.api.Session;
import java.util.EnumSet;
import java.util.Set;
import org.pf4j.Extension;

/**
 * The libipc JSON file-upload service ({@code plugin: ipcfile}): clients authenticate with a JWT
 * and upload files in acknowledged chunks over an AF_UNIX SOCK_SEQPACKET socket ({@code
 * <rundir>/<service>-0-0}) or TCP ({@code tcp_listen}); uploads resume across connections. A
 * finished file becomes a {@link dev.sabir.api.FileOffer} in the conversation its tags name ({@code
 * room:NAME} gives {@code ipcfile:<account>/room:NAME}, {@code to:ADDRESS} gives {@code
 * ipcfile:<account>/to:ADDRESS}), so a link carries it to other networks. The service only
 * receives: deliveries into it fail permanently.
 *
 * <p>Account keys: {@code rundir}, {@code service}, {@code unix_socket}, {@code tcp_listen}, {@code
 * jwt} ({@code hs256_secret}, {@code rs256_public_key}, {@code eddsa_public_key}, {@code issuer},
 * {@code audience}, {@code clock_skew}), {@code chunk_size}, {@code max_chunk}, {@code
 * max_file_size}, {@code max_files}, {@code quota}, {@code max_clients}, {@code idle_timeout},
 * {@code default_tag}; see {@link IpcFileSettings}.
 */
@Extension
public final class IpcFileConnector implements Connector {

    @Override
    public String protocol() {
        return "ipcfile";
    }

    @Override
    public Set<Capability> capabilities() {
        return Set.copyOf(EnumSet.of(Capability.ROOMS, Capability.FILES));
    }

    @Override
    public Session open(AccountConfig account, HostContext host, EventSink sink)
            throws InvalidConfigException {
        return new IpcFileSession(IpcFileSettings.from(account, host.clock()), host, sink);
    }
}
