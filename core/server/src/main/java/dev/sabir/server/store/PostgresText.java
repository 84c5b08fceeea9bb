package dev.sabir.server.store;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;

/**
 * Lets text with NUL characters through PostgreSQL, which refuses U+0000 in {@code text} and {@code
 * varchar} values (SQLite keeps it). Chat networks can hand such text to Sabir (message ids, nicks,
 * conversation ids), so the connections that {@link Database#read} and {@link Database#write} hand
 * out on PostgreSQL escape every string parameter and unescape every string they read.
 *
 * <p>The escape is U+0001: U+0000 is stored as U+0001 {@code '0'} and U+0001 as U+0001 U+0001; any
 * other text is stored unchanged. Each character maps to a fixed sequence and no sequence is the
 * start of another, so a stored prefix matches exactly when the original prefix does, and equality
 * comparisons in SQL are unaffected. A U+0001 followed by anything else (text written by other
 * tools) is read back unchanged.
 */
final class PostgresText {
    static final char ESCAPE = '\u0001';

    private PostgresText() {}

    /** The form a string is stored in. */
    static String encode(String s) {
        if (s == null || (s.indexOf('\u0000') < 0 && s.indexOf(ESCAPE) < 0)) {
            return s;
        }
        StringBuilder b = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\u0000') {
                b.append(ESCAPE).append('0');
            } else if (c == ESCAPE) {
                b.append(ESCAPE).append(ESCAPE);
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** The original of a stored string. */
    static String decode(String s) {
        if (s == null || s.indexOf(ESCAPE) < 0) {
            return s;
        }
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == ESCAPE && i + 1 < s.length()) {
                char next = s.charAt(i + 1);
                if (next == '0') {
                    b.append('\u0000');
                    i++;
                    continue;
                }
                if (next == ESCAPE) {
                    b.append(ESCAPE);
                    i++;
                    continue;
                }
            }
            b.append(c);
        }
        return b.toString();
    }

    /** A view of the connection that escapes parameters and unescapes results. */
    static Connection wrap(Connection c) {
        return proxy(Connection.class, c);
    }

    private static <T> T proxy(Class<T> type, Object target) {
        return type.cast(
                Proxy.newProxyInstance(
                        PostgresText.class.getClassLoader(),
                        new Class<?>[] {type},
                        new Handler(target)));
    }

    private static final class Handler implements InvocationHandler {
        private final Object target;

        Handler(Object target) {
            this.target = target;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            String name = method.getName();
            if (args != null
                    && args.length == 2
                    && args[1] instanceof String value
                    && (name.equals("setString")
                            || name.equals("setNString")
                            || name.equals("setObject"))) {
                args = new Object[] {args[0], encode(value)};
            }
            Object result;
            try {
                result = method.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
            if (result instanceof String s
                    && target instanceof ResultSet
                    && (name.equals("getString")
                            || name.equals("getNString")
                            || name.equals("getObject"))) {
                return decode(s);
            }
            Class<?> returns = method.getReturnType();
            if (result == null || result == target) {
                return result == target ? proxy : null;
            }
            if (returns == ResultSet.class) {
                return proxy(ResultSet.class, result);
            }
            if (returns == CallableStatement.class) {
                return proxy(CallableStatement.class, result);
            }
            if (returns == PreparedStatement.class) {
                return proxy(PreparedStatement.class, result);
            }
            if (returns == Statement.class) {
                return proxy(Statement.class, result);
            }
            if (returns == Connection.class) {
                return proxy(Connection.class, result);
            }
            return result;
        }
    }
}
