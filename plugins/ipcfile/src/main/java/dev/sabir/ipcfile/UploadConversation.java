package dev.sabir.ipcfile;

import dev.sabir.api.Address;
import dev.sabir.ipcfile.JwtVerifier.Identity;
import dev.sabir.ipcfile.JwtVerifier.TokenException;
import dev.sabir.ipcfile.UploadService.Refused;
import dev.sabir.ipcfile.UploadService.Transfer;
import dev.sabir.ipcfile.codec.IpcCodecException;
import dev.sabir.ipcfile.codec.IpcFrame;
import dev.sabir.ipcfile.codec.IpcMessage;
import dev.sabir.ipcfile.codec.IpcMessage.Authentication;
import dev.sabir.ipcfile.codec.IpcMessage.Response;
import dev.sabir.ipcfile.codec.IpcMessages;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection's side of the protocol, independent of the transport: AUTHENTICATION first, then
 * TRANSFER chunks, each answered by one RESPONSE (lock-step). Not thread-safe: a transport feeds
 * one frame at a time.
 */
final class UploadConversation {
    private static final Logger LOG = LoggerFactory.getLogger(UploadConversation.class);
    private static final Pattern FID = Pattern.compile("[A-Za-z0-9._:@+=-]{1,128}");

    private final UploadService service;
    private final String peer;
    private Identity identity;
    private Transfer transfer;

    /**
     * What to do after a frame.
     *
     * @param frame the frame to send back, or null
     * @param close true when the connection is to be closed after sending it
     */
    record Reply(IpcFrame frame, boolean close) {}

    UploadConversation(UploadService service, String peer) {
        this.service = service;
        this.peer = peer;
    }

    /** Handles one frame from the client. */
    Reply onFrame(IpcFrame frame) {
        if (frame.type() == IpcFrame.TYPE_CLOSE) {
            return new Reply(null, true);
        }
        IpcMessage message;
        try {
            message = service.json().decode(frame);
        } catch (IpcCodecException e) {
            return onCodecError(e);
        }
        Response response;
        if (message instanceof Authentication a) {
            return authenticate(a);
        } else if (message instanceof IpcMessage.Transfer t) {
            response = transfer(t);
        } else {
            response =
                    IpcMessages.error(
                            message, "unexpected message: clients send AUTHENTICATION or TRANSFER");
        }
        return new Reply(service.json().encode(response), false);
    }

    /** Answers a frame that broke the protocol; fatal errors close the connection. */
    Reply onCodecError(IpcCodecException e) {
        if (e.fatal()) {
            LOG.info(
                    "ipcfile {}: dropping {}: {}",
                    service.settings().account(),
                    peer,
                    e.getMessage());
            service.host().metrics().increment("ipcfile_bad_frames", 1, "kind", e.kind().name());
        }
        Response r = IpcMessages.error(e.messageId(), e.idKey(), "bad message: " + e.getMessage());
        return new Reply(service.json().encode(r), e.fatal());
    }

    private Reply authenticate(Authentication a) {
        Identity who;
        try {
            who = service.settings().jwt().verify(a.token());
        } catch (TokenException e) {
            LOG.info(
                    "ipcfile {}: token from {} refused: {}",
                    service.settings().account(),
                    peer,
                    e.getMessage());
            service.host().metrics().increment("ipcfile_auth_failures", 1);
            return new Reply(service.json().encode(IpcMessages.error(a, e.getMessage())), true);
        }
        String fid = a.fid() == null ? UUID.randomUUID().toString() : a.fid();
        if (!FID.matcher(fid).matches()) {
            return error(a, "bad transfer id (fid)");
        }
        List<Address> conversations = new ArrayList<>();
        for (String tag : a.tags()) {
            Address c = UploadService.conversationFor(service.settings().account(), tag);
            if (c != null) {
                if (!conversations.contains(c)) {
                    conversations.add(c);
                }
            } else if (tag.startsWith("room:") || tag.startsWith("to:")) {
                return error(a, "bad tag: " + tag.substring(0, Math.min(tag.length(), 64)));
            }
        }
        if (conversations.isEmpty() && service.settings().defaultTag() != null) {
            conversations.add(
                    UploadService.conversationFor(
                            service.settings().account(), service.settings().defaultTag()));
        }
        Transfer t;
        try {
            t = service.begin(who, fid, a.files(), conversations);
        } catch (Refused e) {
            return error(a, e.getMessage());
        }
        identity = who;
        transfer = t;
        LOG.info(
                "ipcfile {}: {} authenticated as {}, transfer {} of {} files",
                service.settings().account(),
                peer,
                who.user(),
                fid,
                a.files().size());
        return new Reply(
                service.json()
                        .encode(
                                IpcMessages.withChunkSize(
                                        position(a, t), service.settings().chunkSize())),
                false);
    }

    private Reply error(IpcMessage m, String reason) {
        return new Reply(service.json().encode(IpcMessages.error(m, reason)), false);
    }

    private static Response position(IpcMessage answered, Transfer t) {
        int next = t.nextFile();
        if (next < 0) {
            return IpcMessages.ok(answered, t.fid(), null, null, true);
        }
        return IpcMessages.ok(answered, t.fid(), next, t.nextOffset(next), false);
    }

    private Response transfer(IpcMessage.Transfer m) {
        Transfer t = transfer;
        if (t == null || identity == null) {
            return IpcMessages.error(m, "unknown transfer: authenticate first");
        }
        if (m.fid() != null && !m.fid().equals(t.fid())) {
            return IpcMessages.error(m, "unknown transfer " + m.fid());
        }
        synchronized (t) {
            if (t.seen(m.chunk())) {
                return position(m, t);
            }
            int file;
            if (m.file() != null) {
                file = m.file();
                if (file >= t.fileCount()) {
                    return IpcMessages.error(m, "unknown file " + file + " in transfer " + t.fid());
                }
            } else {
                file = t.nextFile();
                if (file < 0) {
                    return IpcMessages.error(
                            m, "file too big: every file is complete, more data than announced");
                }
            }
            long offset = m.offset() != null ? m.offset() : t.nextOffset(file);
            if (m.length() == 0) {
                return IpcMessages.error(m, "empty chunk");
            }
            if (offset + m.length() > t.size(file)) {
                return IpcMessages.error(
                        m,
                        "file too big: chunk ends at "
                                + (offset + m.length())
                                + ", announced size "
                                + t.size(file));
            }
            try {
                t.write(m.chunk(), file, offset, m.data());
            } catch (Refused e) {
                return IpcMessages.error(m, e.getMessage());
            }
            return position(m, t);
        }
    }
}
