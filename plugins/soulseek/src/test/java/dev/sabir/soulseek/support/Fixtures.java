package dev.sabir.soulseek.support;

import dev.sabir.api.AccountConfig;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Account configs for tests. */
public final class Fixtures {
    private Fixtures() {}

    /** A free loopback port. */
    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** A server-mode account on a port, with cheap password hashing and a {@code lobby} room. */
    public static AccountConfig server(String name, int port) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("mode", "server");
        s.put("listen", "127.0.0.1:" + port);
        s.put("rooms", List.of("lobby"));
        s.put("pbkdf2-iterations", 1000);
        return new AccountConfig(name, "soulseek", true, s);
    }

    /** A client-mode account. */
    public static AccountConfig client(
            String name, int port, String user, String pass, List<String> rooms) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("mode", "client");
        s.put("server", "127.0.0.1:" + port);
        s.put("user", user);
        s.put("password", pass);
        s.put("rooms", rooms);
        s.put("peer-listen", "127.0.0.1:0");
        s.put("reconnect-min", 50);
        s.put("reconnect-max", 400);
        return new AccountConfig(name, "soulseek", true, s);
    }
}
