package dev.sabir.simplex.codec;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One chat message in the spec's syntax: {@code [chatMsgId] SP msgEvent SP [parameters] SP
 * [contentParts [SP msgBodyParts]]}.
 *
 * <p>Body parts belong to the content parts in order; there may be fewer bodies than content parts
 * (the rest of a large content follows in {@code x.msg.file} chunks), never more, and each body has
 * exactly the size its content part declares.
 *
 * @param chatMsgId the sender's message number (1*DIGIT), or null
 * @param event the event, e.g. {@code x.msg.new}
 * @param params the parameters
 * @param parts the content part headers
 * @param bodies the body parts
 */
public record ChatMsg(
        String chatMsgId,
        String event,
        List<String> params,
        List<ContentPart> parts,
        List<BodyPart> bodies) {
    static final Pattern MSG_ID = Pattern.compile("[0-9]{1,18}");
    static final Pattern EVENT = Pattern.compile("[A-Za-z]+(\\.[A-Za-z]+)+");

    /** Checks the message against the grammar. */
    public ChatMsg {
        Objects.requireNonNull(event, "event");
        params = List.copyOf(params);
        parts = List.copyOf(parts);
        bodies = List.copyOf(bodies);
        if (chatMsgId != null && !MSG_ID.matcher(chatMsgId).matches()) {
            throw new IllegalArgumentException("bad chat message id '" + chatMsgId + "'");
        }
        if (!EVENT.matcher(event).matches() || event.length() > 64) {
            throw new IllegalArgumentException("bad event '" + event + "'");
        }
        for (String p : params) {
            if (!validParameter(p)) {
                throw new IllegalArgumentException("bad parameter '" + p + "'");
            }
        }
        if (bodies.size() > parts.size()) {
            throw new IllegalArgumentException("more body parts than content parts");
        }
        for (int i = 0; i < bodies.size(); i++) {
            if (bodies.get(i).length() != parts.get(i).size()) {
                throw new IllegalArgumentException(
                        "body "
                                + i
                                + " has "
                                + bodies.get(i).length()
                                + " bytes, declared "
                                + parts.get(i).size());
            }
        }
    }

    /** True when the text is {@code 1*(%x21-2B / %x2D-7E)}. */
    public static boolean validParameter(String p) {
        if (p.isEmpty() || p.length() > 4096) {
            return false;
        }
        for (int i = 0; i < p.length(); i++) {
            char c = p.charAt(i);
            if (c < 0x21 || c > 0x7E || c == ',') {
                return false;
            }
        }
        return true;
    }

    /** The parameter at an index, or null. */
    public String param(int index) {
        return index < params.size() ? params.get(index) : null;
    }

    /** The body at an index, or null. */
    public BodyPart body(int index) {
        return index < bodies.size() ? bodies.get(index) : null;
    }

    /** The chat message id as a number, or -1. */
    public long msgNumber() {
        return chatMsgId == null ? -1 : Long.parseLong(chatMsgId);
    }

    /** The same message with another id. */
    public ChatMsg withId(String newId) {
        return new ChatMsg(newId, event, params, parts, bodies);
    }
}
