package dev.sabir.ipcfile.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.ByteBufferBackedInputStream;
import dev.sabir.ipcfile.codec.IpcCodecException;
import dev.sabir.ipcfile.codec.IpcCodecException.Kind;
import dev.sabir.ipcfile.codec.IpcFrame;
import dev.sabir.ipcfile.codec.IpcMessage;
import dev.sabir.ipcfile.codec.IpcMessage.Authentication;
import dev.sabir.ipcfile.codec.IpcMessage.FileEntry;
import dev.sabir.ipcfile.codec.IpcMessage.IdKey;
import dev.sabir.ipcfile.codec.IpcMessage.Response;
import dev.sabir.ipcfile.codec.IpcMessage.Transfer;
import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * Turns frame payloads into {@link IpcMessage}s and back. JSON is read with Jackson under tight
 * constraints (string length, nesting, number length, duplicate keys), and every field is checked
 * against the {@link Limits} before its value is used; anything else is an {@link
 * IpcCodecException}. Both {@code message-id} and {@code mid} are accepted. Chunk data is a base64
 * string (standard or URL alphabet, padding optional) or an array of byte values.
 *
 * <p>Holds its own {@link ObjectMapper}; create one per session (not a static).
 */
public final class IpcJson {
    /** The longest message id, transfer id or chunk id accepted. */
    public static final int MAX_ID = 128;

    /** The longest file name accepted by the codec (the server checks names further). */
    public static final int MAX_NAME = 1024;

    /** The longest tag accepted. */
    public static final int MAX_TAG = 512;

    /** The most tags accepted in one authentication. */
    public static final int MAX_TAGS = 32;

    /**
     * Size limits.
     *
     * @param maxPayload the largest frame payload
     * @param maxChunk the largest chunk of file data in one TRANSFER
     * @param maxFiles the most files in one AUTHENTICATION
     * @param maxToken the longest token
     */
    public record Limits(int maxPayload, int maxChunk, int maxFiles, int maxToken) {
        /** Checks the limits. */
        public Limits {
            if (maxPayload < 64 || maxChunk < 1 || maxFiles < 1 || maxToken < 16) {
                throw new IllegalArgumentException("limits too small");
            }
        }

        /** Limits for a chunk size: the payload fits a base64 chunk plus room for the JSON. */
        public static Limits forChunk(int maxChunk) {
            return new Limits(base64Length(maxChunk) + 16384, maxChunk, 256, 8192);
        }
    }

    private final Limits limits;
    private final ObjectMapper mapper;

    /** A codec with these limits. */
    public IpcJson(Limits limits) {
        this.limits = limits;
        JsonFactory factory =
                JsonFactory.builder()
                        .streamReadConstraints(
                                StreamReadConstraints.builder()
                                        .maxStringLength(limits.maxPayload())
                                        .maxNestingDepth(8)
                                        .maxNumberLength(40)
                                        .maxDocumentLength(limits.maxPayload())
                                        .build())
                        .enable(
                                com.fasterxml.jackson.core.StreamReadFeature
                                        .STRICT_DUPLICATE_DETECTION)
                        .build();
        this.mapper = new ObjectMapper(factory);
        mapper.disable(JsonParser.Feature.AUTO_CLOSE_SOURCE);
    }

    /** The limits in force. */
    public Limits limits() {
        return limits;
    }

    /** The length of {@code n} bytes in padded base64. */
    public static int base64Length(int n) {
        return (n + 2) / 3 * 4;
    }

    // ----------------------------------------------------------------------------------- decode

    /**
     * Reads the message in a DATA frame.
     *
     * @throws IpcCodecException when the frame is not DATA, its user type is unknown, or the JSON
     *     breaks the protocol or the limits
     */
    public IpcMessage decode(IpcFrame frame) throws IpcCodecException {
        if (frame.type() != IpcFrame.TYPE_DATA) {
            throw new IpcCodecException(
                    Kind.BAD_FRAME_TYPE, "frame type " + frame.type() + " is not DATA");
        }
        if (frame.length() > limits.maxPayload()) {
            throw new IpcCodecException(
                    Kind.FRAME_TOO_LARGE,
                    "frame of " + frame.length() + " bytes, limit " + limits.maxPayload());
        }
        JsonNode root;
        try {
            // read the frame's bytes in place rather than through a copy of the payload
            root = mapper.readTree(new ByteBufferBackedInputStream(frame.payloadView()));
        } catch (IOException | RuntimeException e) {
            throw new IpcCodecException(Kind.BAD_JSON, "payload is not JSON: " + shortReason(e));
        }
        if (root == null || !root.isObject()) {
            throw new IpcCodecException(Kind.BAD_JSON, "payload is not a JSON object");
        }
        IdKey key;
        JsonNode idNode;
        if (root.has(IdKey.MESSAGE_ID.json())) {
            key = IdKey.MESSAGE_ID;
            idNode = root.get(IdKey.MESSAGE_ID.json());
        } else {
            key = IdKey.MID;
            idNode = root.get(IdKey.MID.json());
        }
        if (idNode == null || !(idNode.isTextual() || idNode.isIntegralNumber())) {
            throw new IpcCodecException(Kind.BAD_FIELD, "message-id missing");
        }
        String id = idNode.asText();
        if (id.length() > MAX_ID) {
            throw new IpcCodecException(Kind.BAD_FIELD, "message-id too long");
        }
        Fields f = new Fields(root, id, key);
        return switch (frame.userType()) {
            case IpcFrame.AUTHENTICATION -> authentication(f);
            case IpcFrame.RESPONSE -> response(f);
            case IpcFrame.TRANSFER -> transfer(f);
            default ->
                    throw new IpcCodecException(
                            Kind.BAD_USER_TYPE,
                            "unknown message type " + frame.userType(),
                            id,
                            key);
        };
    }

    private Authentication authentication(Fields f) throws IpcCodecException {
        String token = f.text("token", limits.maxToken(), true);
        JsonNode filesNode = f.root.get("files");
        if (filesNode == null || !filesNode.isArray()) {
            throw f.bad("files missing");
        }
        if (filesNode.size() > limits.maxFiles()) {
            throw f.bad("too many files (limit " + limits.maxFiles() + ")");
        }
        List<FileEntry> files = new ArrayList<>();
        for (JsonNode n : filesNode) {
            if (!n.isObject()) {
                throw f.bad("a file entry is not an object");
            }
            Fields ff = new Fields(n, f.id, f.key);
            String name = ff.text("name", MAX_NAME, true);
            JsonNode sizeNode = n.get("size");
            if (sizeNode == null || !sizeNode.isIntegralNumber()) {
                throw f.bad("file size missing");
            }
            BigInteger size = sizeNode.bigIntegerValue();
            if (size.signum() < 0 || size.bitLength() > 64) {
                throw f.bad("file size out of range");
            }
            long clamped = size.bitLength() > 63 ? Long.MAX_VALUE : size.longValue();
            String sha = ff.text("sha256", 64, false);
            if (sha != null && !sha.matches("[0-9a-fA-F]{64}")) {
                throw f.bad("sha256 must be 64 hex digits");
            }
            files.add(
                    new FileEntry(
                            name, clamped, sha == null ? null : sha.toLowerCase(Locale.ROOT)));
        }
        String fid = f.id("fid");
        List<String> tags = new ArrayList<>();
        JsonNode tagsNode = f.root.get("tags");
        if (tagsNode != null && !tagsNode.isNull()) {
            if (!tagsNode.isArray()) {
                throw f.bad("tags is not a list");
            }
            if (tagsNode.size() > MAX_TAGS) {
                throw f.bad("too many tags (limit " + MAX_TAGS + ")");
            }
            for (JsonNode t : tagsNode) {
                if (!t.isTextual() || t.textValue().length() > MAX_TAG) {
                    throw f.bad("a tag is not text or too long");
                }
                tags.add(t.textValue());
            }
        }
        return new Authentication(f.id, f.key, token, files, fid, tags);
    }

    private Response response(Fields f) throws IpcCodecException {
        String r = f.text("response", 16, true);
        boolean ok;
        if (r.equalsIgnoreCase("ok")) {
            ok = true;
        } else if (r.equalsIgnoreCase("error")) {
            ok = false;
        } else {
            throw f.bad("response is neither Ok nor Error");
        }
        String reason = f.text("reason", 1024, false);
        Long file = f.number("file", Integer.MAX_VALUE);
        Long offset = f.number("offset", Long.MAX_VALUE);
        JsonNode complete = f.root.get("complete");
        Long chunkSize = f.number("chunk-size", Integer.MAX_VALUE);
        return new Response(
                f.id,
                f.key,
                ok,
                reason,
                f.id("fid"),
                file == null ? null : file.intValue(),
                offset,
                complete != null && complete.asBoolean(false),
                chunkSize == null ? null : chunkSize.intValue());
    }

    private Transfer transfer(Fields f) throws IpcCodecException {
        String chunk = f.id("chunk");
        JsonNode d = f.root.get("data");
        byte[] data;
        if (d == null) {
            throw f.bad("data missing");
        } else if (d.isTextual()) {
            String s = d.textValue();
            if (s.length() > base64Length(limits.maxChunk())) {
                throw f.bad("chunk too big (limit " + limits.maxChunk() + " bytes)");
            }
            try {
                boolean url = s.indexOf('-') >= 0 || s.indexOf('_') >= 0;
                data = (url ? Base64.getUrlDecoder() : Base64.getDecoder()).decode(s);
            } catch (IllegalArgumentException e) {
                throw f.bad("data is not base64");
            }
        } else if (d.isArray()) {
            if (d.size() > limits.maxChunk()) {
                throw f.bad("chunk too big (limit " + limits.maxChunk() + " bytes)");
            }
            data = new byte[d.size()];
            for (int i = 0; i < data.length; i++) {
                JsonNode b = d.get(i);
                if (!b.isIntegralNumber() || b.asInt() < 0 || b.asInt() > 255) {
                    throw f.bad("data holds a value that is not a byte");
                }
                data[i] = (byte) b.asInt();
            }
        } else {
            throw f.bad("data is neither base64 text nor a list of bytes");
        }
        if (data.length > limits.maxChunk()) {
            throw f.bad("chunk too big (limit " + limits.maxChunk() + " bytes)");
        }
        Long file = f.number("file", Integer.MAX_VALUE);
        Long offset = f.number("offset", Long.MAX_VALUE);
        return new Transfer(
                f.id,
                f.key,
                chunk,
                data,
                f.id("fid"),
                file == null ? null : file.intValue(),
                offset);
    }

    /** Access to one JSON object's fields with checks that name the field. */
    private record Fields(JsonNode root, String id, IdKey key) {
        IpcCodecException bad(String why) {
            return new IpcCodecException(Kind.BAD_FIELD, why, id, key);
        }

        String text(String name, int max, boolean required) throws IpcCodecException {
            JsonNode n = root.get(name);
            if (n == null || n.isNull()) {
                if (required) {
                    throw bad(name + " missing");
                }
                return null;
            }
            if (!n.isTextual()) {
                throw bad(name + " is not text");
            }
            if (n.textValue().length() > max) {
                throw bad(name + " too long (limit " + max + ")");
            }
            return n.textValue();
        }

        /** An id: text or a whole number, at most {@link #MAX_ID} characters; null when absent. */
        String id(String name) throws IpcCodecException {
            JsonNode n = root.get(name);
            if (n == null || n.isNull()) {
                return null;
            }
            if (!(n.isTextual() || n.isIntegralNumber())) {
                throw bad(name + " is not an id");
            }
            String s = n.asText();
            if (s.isEmpty() || s.length() > MAX_ID) {
                throw bad(name + " is empty or too long");
            }
            return s;
        }

        Long number(String name, long max) throws IpcCodecException {
            JsonNode n = root.get(name);
            if (n == null || n.isNull()) {
                return null;
            }
            if (!n.isIntegralNumber() || !n.canConvertToLong()) {
                throw bad(name + " is not a whole number");
            }
            long v = n.longValue();
            if (v < 0 || v > max) {
                throw bad(name + " out of range");
            }
            return v;
        }
    }

    private static String shortReason(Exception e) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        m = nl < 0 ? m : m.substring(0, nl);
        return m.length() > 160 ? m.substring(0, 160) : m;
    }

    // ----------------------------------------------------------------------------------- encode

    /** Writes a message as a DATA frame. */
    public IpcFrame encode(IpcMessage message) {
        ObjectNode o = mapper.createObjectNode();
        o.put(message.idKey().json(), message.messageId());
        if (message instanceof Authentication a) {
            o.put("token", a.token());
            ArrayNode files = o.putArray("files");
            for (FileEntry e : a.files()) {
                ObjectNode fo = files.addObject();
                fo.put("name", e.name());
                fo.put("size", e.size());
                if (e.sha256() != null) {
                    fo.put("sha256", e.sha256());
                }
            }
            if (a.fid() != null) {
                o.put("fid", a.fid());
            }
            ArrayNode tags = o.putArray("tags");
            a.tags().forEach(tags::add);
        } else if (message instanceof Response r) {
            o.put("response", r.ok() ? "Ok" : "Error");
            if (!r.ok() || !r.reason().isEmpty()) {
                o.put("reason", r.reason());
            }
            if (r.fid() != null) {
                o.put("fid", r.fid());
            }
            if (r.file() != null) {
                o.put("file", r.file());
            }
            if (r.offset() != null) {
                o.put("offset", r.offset());
            }
            if (r.complete()) {
                o.put("complete", true);
            }
            if (r.chunkSize() != null) {
                o.put("chunk-size", r.chunkSize());
            }
        } else if (message instanceof Transfer t) {
            if (t.chunk() != null) {
                o.put("chunk", t.chunk());
            }
            o.put("data", Base64.getEncoder().encodeToString(t.data()));
            if (t.fid() != null) {
                o.put("fid", t.fid());
            }
            if (t.file() != null) {
                o.put("file", t.file());
            }
            if (t.offset() != null) {
                o.put("offset", t.offset());
            }
        }
        try {
            return IpcFrame.data(message.userType(), mapper.writeValueAsBytes(o));
        } catch (IOException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }
}
