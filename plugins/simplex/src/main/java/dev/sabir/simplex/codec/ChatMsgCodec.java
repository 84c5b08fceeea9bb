package dev.sabir.simplex.codec;

import dev.sabir.simplex.codec.SyntaxException.Error;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses and serialises chat messages ({@link ChatMsg}) in the spec's grammar.
 *
 * <p>Body parts are delimited by the sizes their content parts declare, so they may contain spaces
 * or any byte. Two forms found in the spec's own examples are accepted besides the strict grammar:
 * a single space after the last body part ({@code "3 x.msg.new c.text x.text:5 hello "}) and a
 * message that ends right after its parameters without the final separator ({@code "9 x.msg.delete
 * 3"}). The serialiser always writes the three separators and, when there are bodies, the trailing
 * space.
 */
public final class ChatMsgCodec {
    private static final byte SP = ' ';
    private final int maxLength;

    /**
     * @param maxLength the largest message accepted, in bytes
     */
    public ChatMsgCodec(int maxLength) {
        if (maxLength < 16) {
            throw new IllegalArgumentException("limit too small");
        }
        this.maxLength = maxLength;
    }

    /** Serialises a message. */
    public byte[] encode(ChatMsg m) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StringBuilder head = new StringBuilder();
        if (m.chatMsgId() != null) {
            head.append(m.chatMsgId());
        }
        head.append(' ')
                .append(m.event())
                .append(' ')
                .append(String.join(",", m.params()))
                .append(' ');
        for (int i = 0; i < m.parts().size(); i++) {
            head.append(i == 0 ? "" : ",").append(m.parts().get(i));
        }
        out.writeBytes(head.toString().getBytes(StandardCharsets.US_ASCII));
        for (BodyPart b : m.bodies()) {
            out.write(SP);
            out.writeBytes(b.data());
        }
        if (!m.bodies().isEmpty()) {
            out.write(SP);
        }
        return out.toByteArray();
    }

    /** Serialises to text (for tests and logs; bodies are decoded as UTF-8). */
    public String encodeToString(ChatMsg m) {
        return new String(encode(m), StandardCharsets.UTF_8);
    }

    /** Parses UTF-8 text. */
    public ChatMsg decode(String text) throws SyntaxException {
        return decode(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Parses a message. */
    public ChatMsg decode(byte[] in) throws SyntaxException {
        if (in.length > maxLength) {
            throw new SyntaxException(Error.TOO_LONG, maxLength, in.length + " bytes");
        }
        Cursor c = new Cursor(in);
        String id = c.digits();
        if (id.length() > 18) {
            throw new SyntaxException(Error.BAD_MESSAGE_ID, 0, "more than 18 digits");
        }
        c.expectSpace();
        int evStart = c.pos;
        String event = c.token();
        if (!ChatMsg.EVENT.matcher(event).matches() || event.length() > 64) {
            throw new SyntaxException(Error.BAD_EVENT, evStart, "'" + event + "'");
        }
        c.expectSpace();
        List<String> params = new ArrayList<>();
        int pStart = c.pos;
        String paramText = c.token();
        if (!paramText.isEmpty()) {
            for (String p : paramText.split(",", -1)) {
                if (!ChatMsg.validParameter(p)) {
                    throw new SyntaxException(Error.BAD_PARAMETER, pStart, "'" + p + "'");
                }
                params.add(p);
            }
        }
        List<ContentPart> parts = new ArrayList<>();
        List<BodyPart> bodies = new ArrayList<>();
        if (c.atEnd()) {
            return build(id, event, params, parts, bodies, pStart);
        }
        c.expectSpace();
        int cStart = c.pos;
        String partText = c.token();
        if (!partText.isEmpty()) {
            for (String p : partText.split(",", -1)) {
                parts.add(contentPart(p, cStart));
            }
        }
        for (ContentPart part : parts) {
            if (c.remaining() == 0 || (c.remaining() == 1 && c.peek() == SP)) {
                break;
            }
            c.expectSpace();
            if (c.remaining() < part.size()) {
                throw new SyntaxException(
                        Error.BODY_TRUNCATED,
                        c.pos,
                        part.fullType()
                                + " declares "
                                + part.size()
                                + " bytes, "
                                + c.remaining()
                                + " left");
            }
            bodies.add(new BodyPart(c.take(part.size())));
        }
        if (c.remaining() == 1 && c.peek() == SP) {
            c.pos++;
        }
        if (!c.atEnd()) {
            throw new SyntaxException(Error.TRAILING_DATA, c.pos, c.remaining() + " bytes left");
        }
        return build(id, event, params, parts, bodies, cStart);
    }

    private static ChatMsg build(
            String id,
            String event,
            List<String> params,
            List<ContentPart> parts,
            List<BodyPart> bodies,
            int pos)
            throws SyntaxException {
        try {
            return new ChatMsg(id.isEmpty() ? null : id, event, params, parts, bodies);
        } catch (IllegalArgumentException e) {
            throw new SyntaxException(Error.BAD_CONTENT_PART, pos, e.getMessage());
        }
    }

    /**
     * Parses one content part header ({@code ns "." type ":" size [":" hash]}), e.g. where a
     * parameter announces content that follows in chunks ({@code c.image,i.image/jpg:150000}).
     */
    public static ContentPart parseContentPart(String text) throws SyntaxException {
        return contentPart(text, 0);
    }

    private static ContentPart contentPart(String text, int pos) throws SyntaxException {
        int dot = text.indexOf('.');
        int colon = text.indexOf(':');
        if (dot <= 0 || colon < dot + 2) {
            throw new SyntaxException(Error.BAD_CONTENT_PART, pos, "'" + text + "'");
        }
        String ns = text.substring(0, dot);
        String type = text.substring(dot + 1, colon);
        String rest = text.substring(colon + 1);
        int colon2 = rest.indexOf(':');
        String size = colon2 < 0 ? rest : rest.substring(0, colon2);
        String hash = colon2 < 0 ? null : rest.substring(colon2 + 1);
        if (size.isEmpty()
                || size.length() > 10
                || !size.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
            throw new SyntaxException(Error.BAD_CONTENT_PART, pos, "bad size in '" + text + "'");
        }
        long n = Long.parseLong(size);
        if (n > ContentPart.MAX_SIZE) {
            throw new SyntaxException(
                    Error.BAD_CONTENT_PART, pos, "size too large in '" + text + "'");
        }
        try {
            return new ContentPart(ns, type, (int) n, hash);
        } catch (IllegalArgumentException e) {
            throw new SyntaxException(Error.BAD_CONTENT_PART, pos, e.getMessage());
        }
    }

    /** A read position over the input. */
    private static final class Cursor {
        private final byte[] in;
        private int pos;

        Cursor(byte[] in) {
            this.in = in;
        }

        boolean atEnd() {
            return pos >= in.length;
        }

        int remaining() {
            return in.length - pos;
        }

        byte peek() {
            return in[pos];
        }

        String digits() {
            int start = pos;
            while (pos < in.length && in[pos] >= '0' && in[pos] <= '9') {
                pos++;
            }
            return new String(in, start, pos - start, StandardCharsets.US_ASCII);
        }

        /** Bytes up to the next space or the end; only printable ASCII allowed. */
        String token() throws SyntaxException {
            int start = pos;
            while (pos < in.length && in[pos] != SP) {
                int b = in[pos] & 0xFF;
                if (b < 0x21 || b > 0x7E) {
                    throw new SyntaxException(
                            Error.BAD_PARAMETER, pos, "byte 0x" + Integer.toHexString(b));
                }
                pos++;
            }
            return new String(in, start, pos - start, StandardCharsets.US_ASCII);
        }

        void expectSpace() throws SyntaxException {
            if (pos >= in.length || in[pos] != SP) {
                throw new SyntaxException(Error.MISSING_SEPARATOR, pos, "expected a space");
            }
            pos++;
        }

        byte[] take(int n) {
            byte[] out = new byte[n];
            System.arraycopy(in, pos, out, 0, n);
            pos += n;
            return out;
        }
    }
}
