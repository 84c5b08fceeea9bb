package dev.sabir.ipcfile;

import dev.sabir.api.AccountConfig;
import dev.sabir.api.InvalidConfigException;
import dev.sabir.ipcfile.codec.IpcCodecException;
import dev.sabir.ipcfile.codec.IpcFrame;
import dev.sabir.ipcfile.codec.IpcMessage;
import dev.sabir.ipcfile.codec.IpcMessage.FileEntry;
import dev.sabir.ipcfile.codec.IpcMessage.Response;
import dev.sabir.ipcfile.codec.IpcMessages;
import dev.sabir.ipcfile.json.IpcJson;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

/**
 * A command-line client of the upload service: authenticates with a token, sends the files in
 * acknowledged chunks and prints progress. Running the same command again after an interruption
 * resumes (the transfer id is derived from the files unless {@code --fid} is given).
 *
 * <pre>
 * UploadClient (--connect HOST:PORT | --socket PATH) --token JWT [--tag room:lobby]... [--fid ID]
 *              [--chunk BYTES] FILE...
 * </pre>
 */
public final class UploadClient {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final IpcConnection connection;
    private final IpcJson json;
    private final String token;
    private final List<String> tags;
    private int chunkSize;
    private final PrintStream progress;
    private long sequence;

    /**
     * What an upload ended with.
     *
     * @param fid the transfer id
     * @param complete true when the server has every file
     * @param chunksSent the chunks sent on this connection
     */
    public record Result(String fid, boolean complete, int chunksSent) {}

    /** An upload the server refused; the message is its reason. */
    public static final class UploadException extends Exception {
        private static final long serialVersionUID = 1L;

        /**
         * @param message the reason
         */
        public UploadException(String message) {
            super(message);
        }
    }

    /**
     * @param connection an open connection (not closed by this class)
     * @param token the JWT
     * @param tags where the files go ({@code room:NAME}, {@code to:ADDRESS})
     * @param chunkSize bytes per chunk, or 0 to use the size the server suggests
     * @param progress where progress lines go, or null for none
     */
    public UploadClient(
            IpcConnection connection,
            String token,
            List<String> tags,
            int chunkSize,
            PrintStream progress) {
        if (chunkSize < 0) {
            throw new IllegalArgumentException("chunk size must not be negative");
        }
        this.connection = connection;
        this.json = new IpcJson(IpcJson.Limits.forChunk(Math.max(chunkSize, 1024)));
        this.token = token;
        this.tags = List.copyOf(tags);
        this.chunkSize = chunkSize;
        this.progress = progress;
    }

    /** A transfer id derived from the files (same files, same id: a rerun resumes). */
    public static String fidFor(List<Path> files) throws IOException {
        StringBuilder b = new StringBuilder();
        for (Path f : files) {
            b.append(f.toAbsolutePath())
                    .append('|')
                    .append(Files.size(f))
                    .append('|')
                    .append(Files.getLastModifiedTime(f).toMillis())
                    .append('\n');
        }
        return UUID.nameUUIDFromBytes(b.toString().getBytes(StandardCharsets.UTF_8)).toString();
    }

    /** Uploads the files, following the server's position after every chunk. */
    public Result upload(String fid, List<Path> files) throws IOException, UploadException {
        return upload(fid, files, Integer.MAX_VALUE);
    }

    /**
     * Uploads at most {@code maxChunks} chunks of the files (the rest is left for a later
     * connection).
     */
    public Result upload(String fid, List<Path> files, int maxChunks)
            throws IOException, UploadException {
        List<FileEntry> entries = new ArrayList<>();
        for (Path f : files) {
            entries.add(new FileEntry(f.getFileName().toString(), Files.size(f), sha256(f)));
        }
        Response r = call(IpcMessages.authentication(nextId(), token, entries, fid, tags));
        String id = r.fid() != null ? r.fid() : fid;
        if (chunkSize == 0) {
            chunkSize =
                    r.chunkSize() != null && r.chunkSize() > 0
                            ? Math.min(r.chunkSize(), 1 << 20)
                            : 1024;
        }
        int sent = 0;
        int lastPercent = -1;
        int lastFile = -1;
        byte[] buf = new byte[chunkSize];
        while (!r.complete() && r.file() != null && r.offset() != null) {
            int file = r.file();
            long offset = r.offset();
            if (file >= files.size()) {
                throw new UploadException("server asked for unknown file " + file);
            }
            long size = entries.get(file).size();
            if (file != lastFile) {
                lastPercent = -1;
                lastFile = file;
                if (offset > 0) {
                    print(
                            entries.get(file).name()
                                    + ": resuming at "
                                    + offset
                                    + " of "
                                    + size
                                    + " bytes");
                }
            }
            if (sent >= maxChunks) {
                return new Result(id, false, sent);
            }
            int n = (int) Math.min(chunkSize, size - offset);
            try (RandomAccessFile raf = new RandomAccessFile(files.get(file).toFile(), "r")) {
                raf.seek(offset);
                raf.readFully(buf, 0, n);
            }
            byte[] data = n == buf.length ? buf : java.util.Arrays.copyOf(buf, n);
            String mid = nextId();
            r =
                    call(
                            IpcMessages.transfer(
                                    mid, id + ":" + file + ":" + offset, data, id, file, offset));
            sent++;
            long done = r.complete() || r.file() == null || r.file() != file ? size : r.offset();
            int percent = size == 0 ? 100 : (int) (done * 100 / size);
            if (percent / 10 != lastPercent / 10 || done == size) {
                if (percent != lastPercent) {
                    print(
                            entries.get(file).name()
                                    + ": "
                                    + done
                                    + "/"
                                    + size
                                    + " bytes ("
                                    + percent
                                    + "%)");
                }
                lastPercent = percent;
            }
        }
        print("transfer " + id + " complete");
        return new Result(id, true, sent);
    }

    private void print(String line) {
        if (progress != null) {
            progress.println(line);
        }
    }

    private String nextId() {
        return UUID.randomUUID() + "-" + (sequence++);
    }

    /** Sends a message and waits for its response; an Error becomes an exception. */
    private Response call(IpcMessage m) throws IOException, UploadException {
        connection.send(json.encode(m));
        IpcFrame f;
        try {
            f = connection.receive(TIMEOUT);
            if (f == null) {
                throw new IOException("the server closed the connection");
            }
            IpcMessage reply = json.decode(f);
            if (!(reply instanceof Response r)) {
                throw new UploadException("the server sent " + reply.getClass().getSimpleName());
            }
            if (!r.messageId().equals(m.messageId())) {
                throw new UploadException("response for another message: " + r.messageId());
            }
            if (!r.ok()) {
                throw new UploadException(r.reason());
            }
            return r;
        } catch (IpcCodecException e) {
            throw new UploadException("bad response: " + e.getMessage());
        }
    }

    /** Lower-case hex SHA-256 of a file. */
    static String sha256(Path f) throws IOException {
        try (InputStream in = Files.newInputStream(f)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] b = new byte[65536];
            int n;
            while ((n = in.read(b)) > 0) {
                md.update(b, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Command-line entry point; exits 0 when every file is uploaded, 1 on failure, 2 on bad usage.
     */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the command line; returns the exit status. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        String connect = null;
        String socket = null;
        String token = null;
        String fid = null;
        int chunk = 0;
        List<String> tags = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        try {
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--connect" -> connect = args[++i];
                    case "--socket" -> socket = args[++i];
                    case "--token" -> token = args[++i];
                    case "--tag" -> tags.add(args[++i]);
                    case "--fid" -> fid = args[++i];
                    case "--chunk" -> chunk = Integer.parseInt(args[++i]);
                    case "-h", "--help" -> {
                        out.println(usage());
                        return 0;
                    }
                    default -> {
                        if (a.startsWith("--")) {
                            err.println("unknown option " + a + "\n" + usage());
                            return 2;
                        }
                        files.add(Path.of(a));
                    }
                }
            }
        } catch (ArrayIndexOutOfBoundsException | NumberFormatException e) {
            err.println("bad arguments\n" + usage());
            return 2;
        }
        if ((connect == null) == (socket == null)
                || token == null
                || files.isEmpty()
                || chunk < 0) {
            err.println(usage());
            return 2;
        }
        for (Path f : files) {
            if (!Files.isRegularFile(f)) {
                err.println("not a file: " + f);
                return 2;
            }
        }
        int maxPayload = IpcJson.Limits.forChunk(Math.max(chunk, 1024)).maxPayload();
        try {
            IpcConnection c;
            if (connect != null) {
                InetSocketAddress hp = AccountConfig.parseHostPort("--connect", connect);
                c =
                        IpcConnection.tcp(
                                new InetSocketAddress(hp.getHostString(), hp.getPort()),
                                maxPayload);
            } else {
                c = IpcConnection.unix(Path.of(socket), maxPayload);
            }
            try (c) {
                UploadClient client = new UploadClient(c, token, tags, chunk, out);
                Result r = client.upload(fid != null ? fid : fidFor(files), files);
                return r.complete() ? 0 : 1;
            }
        } catch (InvalidConfigException e) {
            err.println(e.getMessage());
            return 2;
        } catch (UploadException e) {
            err.println("upload refused: " + e.getMessage());
            return 1;
        } catch (IOException e) {
            err.println(
                    "upload failed: " + e.getMessage() + " (run the same command again to resume)");
            return 1;
        }
    }

    private static String usage() {
        return "usage: ipc-upload (--connect HOST:PORT | --socket PATH) --token JWT [--tag room:NAME]..."
                + " [--fid ID] [--chunk BYTES] FILE...\n(--chunk defaults to the size the server suggests, usually 1024)";
    }
}
