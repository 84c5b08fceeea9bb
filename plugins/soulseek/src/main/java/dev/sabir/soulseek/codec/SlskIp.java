package dev.sabir.soulseek.codec;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * IPv4 addresses as Soulseek sends them: a uint32 whose little-endian bytes are the address
 * reversed, i.e. the address's big-endian value.
 */
public final class SlskIp {
    private SlskIp() {}

    /** The uint32 for an address (0 for anything but IPv4). */
    public static int of(InetAddress a) {
        if (!(a instanceof Inet4Address)) {
            return 0;
        }
        byte[] b = a.getAddress();
        return ((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
    }

    /** The address for a uint32. */
    public static InetAddress toInet(int ip) {
        try {
            return InetAddress.getByAddress(
                    new byte[] {
                        (byte) (ip >>> 24), (byte) (ip >>> 16), (byte) (ip >>> 8), (byte) ip
                    });
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
