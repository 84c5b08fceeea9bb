package dev.sabir.simplex.codec;

import java.util.Base64;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One content part header: {@code namespace "." type ":" size [":" hash]}, e.g. {@code x.text:5} or
 * {@code i.image/jpg:256}. Namespace {@code i} carries a MIME type; other namespaces carry
 * dot-separated alphabetic names.
 *
 * @param namespace 1*ALPHA, e.g. {@code x}, {@code c} or {@code i}
 * @param type the MIME type for namespace {@code i}, otherwise {@code 1*ALPHA *("." 1*ALPHA)}
 * @param size the body size in bytes
 * @param hash base64 hash of the content, or null
 */
public record ContentPart(String namespace, String type, int size, String hash) {
    static final Pattern NAMESPACE = Pattern.compile("[A-Za-z]{1,16}");
    static final Pattern NAMES = Pattern.compile("[A-Za-z]+(\\.[A-Za-z]+)*");
    static final Pattern MIME = Pattern.compile("[A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+-]+");
    static final Pattern BASE64 = Pattern.compile("[A-Za-z0-9+/]+={0,2}");

    /** Largest size accepted in a header. */
    public static final int MAX_SIZE = 1 << 30;

    /** Checks every field against the grammar. */
    public ContentPart {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(type, "type");
        if (!NAMESPACE.matcher(namespace).matches()) {
            throw new IllegalArgumentException("bad content namespace '" + namespace + "'");
        }
        boolean ok =
                "i".equals(namespace)
                        ? MIME.matcher(type).matches()
                        : NAMES.matcher(type).matches();
        if (!ok || type.length() > 128) {
            throw new IllegalArgumentException("bad content type '" + type + "'");
        }
        if (size < 0 || size > MAX_SIZE) {
            throw new IllegalArgumentException("bad content size " + size);
        }
        if (hash != null) {
            if (!BASE64.matcher(hash).matches() || hash.length() > 256) {
                throw new IllegalArgumentException("bad content hash");
            }
            try {
                Base64.getDecoder().decode(hash);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("bad content hash", e);
            }
        }
    }

    /** A part without hash. */
    public static ContentPart of(String namespace, String type, int size) {
        return new ContentPart(namespace, type, size, null);
    }

    /** {@code x.text:size}. */
    public static ContentPart text(int size) {
        return of("x", "text", size);
    }

    /** {@code x.json:size}. */
    public static ContentPart json(int size) {
        return of("x", "json", size);
    }

    /** The full type, e.g. {@code x.text}. */
    public String fullType() {
        return namespace + "." + type;
    }

    /** The wire form. */
    @Override
    public String toString() {
        return fullType() + ":" + size + (hash == null ? "" : ":" + hash);
    }
}
