package dev.sabir.ipcfile;

import dev.sabir.api.Address;
import dev.sabir.api.EventSink;
import dev.sabir.api.FileOffer;
import dev.sabir.api.FileSpool;
import dev.sabir.api.FileSpool.SpoolException;
import dev.sabir.api.FileSpool.SpooledFile;
import dev.sabir.api.FileSpool.Upload;
import dev.sabir.api.HostContext;
import dev.sabir.api.KeyValueStore;
import dev.sabir.api.Sender;
import dev.sabir.ipcfile.JwtVerifier.Identity;
import dev.sabir.ipcfile.codec.IpcMessage.FileEntry;
import dev.sabir.ipcfile.json.IpcJson;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state of the upload service shared by all connections of one account: the transfers in
 * progress (so a client that reconnects with the same transfer id continues where it stopped, and a
 * repeated chunk is recognised), completed-file records and per-user usage in the account's store,
 * and the FileOffer events for finished files.
 */
final class UploadService {
    private static final Logger LOG = LoggerFactory.getLogger(UploadService.class);
    private static final int MAX_TRANSFERS = 1024;
    private static final int RECENT_CHUNKS = 256;

    private final IpcFileSettings settings;
    private final HostContext host;
    private final EventSink sink;
    private final IpcJson json;
    private final Map<String, Transfer> transfers =
            new LinkedHashMap<>(16, 0.75f, true) {
                private static final long serialVersionUID = 1L;

                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Transfer> eldest) {
                    return size() > MAX_TRANSFERS;
                }
            };

    UploadService(IpcFileSettings settings, HostContext host, EventSink sink) {
        this.settings = settings;
        this.host = host;
        this.sink = sink;
        this.json = new IpcJson(settings.limits());
    }

    IpcFileSettings settings() {
        return settings;
    }

    IpcJson json() {
        return json;
    }

    HostContext host() {
        return host;
    }

    /** A new connection's protocol state. */
    UploadConversation open(String peer) {
        return new UploadConversation(this, peer);
    }

    /**
     * The conversation a tag names: {@code room:NAME} or {@code to:ADDRESS}; null for other tags.
     */
    static Address conversationFor(Address account, String tag) {
        String value;
        if (tag.startsWith("room:")) {
            value = tag.substring(5);
        } else if (tag.startsWith("to:")) {
            value = tag.substring(3);
        } else {
            return null;
        }
        if (value.isBlank()
                || value.length() > 256
                || value.codePoints().anyMatch(c -> Character.isISOControl(c))) {
            return null;
        }
        return account.withId(tag);
    }

    /** The spool source of a user's files. */
    Address sourceOf(String user) {
        return settings.account().withId("user:" + user);
    }

    /** An upload refused; the message is the reason told to the client. */
    static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        Refused(String reason) {
            super(reason);
        }
    }

    /**
     * Starts or resumes a transfer for an authenticated user.
     *
     * @throws Refused when a name, size, quota or the spool refuses it
     */
    Transfer begin(Identity who, String fid, List<FileEntry> files, List<Address> conversations)
            throws Refused {
        if (files.isEmpty()) {
            throw new Refused("no files announced");
        }
        for (FileEntry f : files) {
            String problem = FileNames.problem(f.name());
            if (problem != null) {
                throw new Refused("bad name: " + problem);
            }
            if (f.size() > settings.maxFileSize()) {
                throw new Refused(
                        "file too big: " + f.size() + " bytes, limit " + settings.maxFileSize());
            }
        }
        String key = who.user() + "|" + fid;
        synchronized (transfers) {
            Transfer existing = transfers.get(key);
            if (existing != null) {
                if (!existing.sameFiles(files)) {
                    throw new Refused("transfer " + fid + " was announced with other files");
                }
                existing.setConversations(conversations);
                return existing;
            }
        }
        Transfer t = new Transfer(who, fid, files, conversations);
        t.open();
        synchronized (transfers) {
            Transfer raced = transfers.putIfAbsent(key, t);
            return raced != null ? raced : t;
        }
    }

    private KeyValueStore store() {
        return host.store();
    }

    private long used(String user) {
        return store().get("used/" + user).map(Long::parseLong).orElse(0L);
    }

    /** One user's transfer: its files, where they stand, and the chunks seen recently. */
    final class Transfer {
        private final Identity who;
        private final String fid;
        private final List<FileEntry> files;
        private final Upload[] uploads;
        private final String[] done;
        private volatile List<Address> conversations;
        private final Map<String, Integer> recentChunks =
                new LinkedHashMap<>(16, 0.75f, false) {
                    private static final long serialVersionUID = 1L;

                    @Override
                    protected boolean removeEldestEntry(Map.Entry<String, Integer> eldest) {
                        return size() > RECENT_CHUNKS;
                    }
                };

        Transfer(Identity who, String fid, List<FileEntry> files, List<Address> conversations) {
            this.who = who;
            this.fid = fid;
            this.files = List.copyOf(files);
            this.uploads = new Upload[files.size()];
            this.done = new String[files.size()];
            this.conversations = List.copyOf(conversations);
        }

        String fid() {
            return fid;
        }

        String user() {
            return who.user();
        }

        boolean sameFiles(List<FileEntry> other) {
            if (other.size() != files.size()) {
                return false;
            }
            for (int i = 0; i < files.size(); i++) {
                FileEntry a = files.get(i);
                FileEntry b = other.get(i);
                if (!a.name().equals(b.name()) || a.size() != b.size()) {
                    return false;
                }
            }
            return true;
        }

        void setConversations(List<Address> c) {
            conversations = List.copyOf(c);
        }

        private String offerId(int index) {
            return fid + "/" + index;
        }

        private String doneKey(int index) {
            return "done/" + who.user() + "/" + fid + "/" + index;
        }

        /** Opens the spool uploads (resuming earlier ones) and checks the quota. */
        synchronized void open() throws Refused {
            long pending = 0;
            for (int i = 0; i < files.size(); i++) {
                Optional<String> d = store().get(doneKey(i));
                if (d.isPresent()) {
                    done[i] = d.get();
                } else {
                    pending += files.get(i).size();
                }
            }
            if (settings.quota() > 0 && used(who.user()) + pending > settings.quota()) {
                throw new Refused(
                        "quota exceeded: "
                                + used(who.user())
                                + " bytes stored, "
                                + pending
                                + " more would pass the limit of "
                                + settings.quota());
            }
            List<Integer> opened = new ArrayList<>();
            try {
                for (int i = 0; i < files.size(); i++) {
                    if (done[i] == null) {
                        uploads[i] = receive(i);
                        opened.add(i);
                    }
                }
                for (int i = 0; i < files.size(); i++) {
                    if (done[i] == null && files.get(i).size() == 0) {
                        finish(i);
                    }
                }
            } catch (SpoolException e) {
                for (int i : opened) {
                    if (uploads[i] != null && uploads[i].received() == 0) {
                        uploads[i].abort();
                    }
                }
                throw new Refused(e.getMessage());
            }
        }

        private Upload receive(int i) throws SpoolException {
            FileEntry f = files.get(i);
            return host.spool()
                    .receive(sourceOf(who.user()), offerId(i), f.name(), f.size(), f.sha256());
        }

        /** The file the next chunk belongs to, or -1 when every file is complete. */
        synchronized int nextFile() {
            for (int i = 0; i < files.size(); i++) {
                if (done[i] == null) {
                    return i;
                }
            }
            return -1;
        }

        /** The offset the next chunk of a file starts at. */
        synchronized long nextOffset(int i) {
            if (done[i] != null) {
                return files.get(i).size();
            }
            if (uploads[i] == null) {
                return 0;
            }
            List<FileSpool.Range> missing = uploads[i].missing();
            return missing.isEmpty() ? files.get(i).size() : missing.get(0).offset();
        }

        int fileCount() {
            return files.size();
        }

        synchronized boolean isDone(int i) {
            return done[i] != null;
        }

        long size(int i) {
            return files.get(i).size();
        }

        /** True when this chunk id was written before (the client repeated it). */
        synchronized boolean seen(String chunk) {
            return chunk != null && recentChunks.containsKey(chunk);
        }

        /**
         * Writes a chunk; finishes the file when it is complete.
         *
         * @throws Refused when the spool refuses the bytes or the finished file does not check
         */
        synchronized void write(String chunk, int i, long offset, byte[] data) throws Refused {
            if (done[i] != null) {
                // a late repeat of bytes of a finished file: nothing to do
                remember(chunk, i);
                return;
            }
            try {
                if (uploads[i] == null) {
                    uploads[i] = receive(i);
                }
                uploads[i].write(offset, data, 0, data.length);
            } catch (SpoolException e) {
                throw new Refused(e.getMessage());
            }
            remember(chunk, i);
            host.metrics().increment("ipcfile_bytes_received", data.length);
            if (uploads[i].missing().isEmpty()) {
                finish(i);
            }
        }

        private void remember(String chunk, int i) {
            if (chunk != null) {
                recentChunks.put(chunk, i);
            }
        }

        private void finish(int i) throws Refused {
            SpooledFile f;
            try {
                f = uploads[i].complete();
            } catch (SpoolException e) {
                LOG.info(
                        "ipcfile {}: file {} of transfer {} from {} failed its check: {}",
                        settings.account(),
                        i,
                        fid,
                        who.user(),
                        e.getMessage());
                recentChunks.clear();
                try {
                    uploads[i] = receive(i);
                } catch (SpoolException again) {
                    uploads[i] = null;
                }
                throw new Refused(e.getMessage());
            }
            done[i] = f.spoolId();
            store().put(doneKey(i), f.spoolId());
            synchronized (UploadService.this) {
                store().put("used/" + who.user(), Long.toString(used(who.user()) + f.size()));
            }
            host.metrics().increment("ipcfile_files_completed", 1);
            LOG.info(
                    "ipcfile {}: '{}' ({} bytes) uploaded by {} as spool {}",
                    settings.account(),
                    f.name(),
                    f.size(),
                    who.user(),
                    f.spoolId());
            List<Address> targets = conversations;
            if (targets.isEmpty()) {
                targets = List.of(sourceOf(who.user()));
            }
            Sender sender = new Sender(who.user(), who.name(), false);
            for (Address conversation : targets) {
                sink.accept(
                        new FileOffer(
                                conversation,
                                sender,
                                offerId(i),
                                f.name(),
                                f.size(),
                                f.sha256(),
                                f.mediaType(),
                                f.spoolId()));
            }
            if (nextFile() < 0) {
                synchronized (transfers) {
                    transfers.remove(who.user() + "|" + fid);
                }
            }
        }
    }
}
