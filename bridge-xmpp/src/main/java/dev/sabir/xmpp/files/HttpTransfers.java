package dev.sabir.xmpp.files;

import dev.sabir.api.Address;
import dev.sabir.api.FileSpool;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * HTTP uploads (XEP-0363 PUT) and downloads (links into the host's spool) on the JDK's HttpClient,
 * with a connect/header timeout, an overall deadline per transfer, a size limit and a length check.
 *
 * <p>The client and its worker threads are created on first use and released by {@link #close()}
 * (the JDK's selector thread ends once the client is unreachable; Java 17 has no {@code
 * HttpClient.close()}).
 */
public final class HttpTransfers implements AutoCloseable {
    private final Duration httpTimeout;
    private final Duration transferTimeout;
    private final ScheduledExecutorService scheduler;
    private final String threadPrefix;
    private ExecutorService executor;
    private HttpClient client;
    private boolean closed;
    private final java.util.Set<ScheduledFuture<?>> deadlines =
            java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * @param httpTimeout connect and response-header timeout
     * @param transferTimeout deadline for a whole transfer
     * @param scheduler the host's scheduler (deadline timers)
     * @param threadPrefix names of the client's worker threads
     */
    public HttpTransfers(
            Duration httpTimeout,
            Duration transferTimeout,
            ScheduledExecutorService scheduler,
            String threadPrefix) {
        this.httpTimeout = httpTimeout;
        this.transferTimeout = transferTimeout;
        this.scheduler = scheduler;
        this.threadPrefix = threadPrefix;
    }

    private synchronized HttpClient client() throws TransferException {
        if (closed) {
            throw new TransferException("session closed");
        }
        if (client == null) {
            AtomicInteger n = new AtomicInteger();
            ThreadFactory tf =
                    r -> {
                        Thread t = new Thread(r, threadPrefix + "-" + n.incrementAndGet());
                        t.setDaemon(true);
                        return t;
                    };
            executor = Executors.newCachedThreadPool(tf);
            client =
                    HttpClient.newBuilder()
                            .executor(executor)
                            .connectTimeout(httpTimeout)
                            .followRedirects(HttpClient.Redirect.NEVER)
                            .version(HttpClient.Version.HTTP_1_1)
                            .build();
        }
        return client;
    }

    /**
     * Uploads a file with PUT.
     *
     * @param url the slot's PUT URL
     * @param headers the slot's headers (only Authorization, Cookie and Expires are passed on, as
     *     XEP-0363 asks)
     * @param file the bytes
     * @param contentType the media type
     * @return completes when the server answered 2xx
     */
    public CompletableFuture<Void> put(
            URI url, Map<String, String> headers, Path file, String contentType) {
        CompletableFuture<Void> result = new CompletableFuture<>();
        try {
            checkScheme(url);
            HttpRequest.Builder b =
                    HttpRequest.newBuilder(url)
                            .timeout(transferTimeout)
                            .header("Content-Type", contentType)
                            .PUT(HttpRequest.BodyPublishers.ofFile(file));
            for (Map.Entry<String, String> h : headers.entrySet()) {
                String name = h.getKey().toLowerCase(Locale.ROOT);
                if (name.equals("authorization")
                        || name.equals("cookie")
                        || name.equals("expires")) {
                    b.header(h.getKey(), h.getValue().replace("\r", "").replace("\n", ""));
                }
            }
            CompletableFuture<HttpResponse<Void>> f =
                    client().sendAsync(b.build(), HttpResponse.BodyHandlers.discarding());
            ScheduledFuture<?> deadline = deadline(() -> f.cancel(true), result);
            f.whenComplete(
                    (resp, err) -> {
                        deadline.cancel(false);
                        if (err != null) {
                            result.completeExceptionally(cause(err));
                        } else if (resp.statusCode() / 100 != 2) {
                            result.completeExceptionally(
                                    new TransferException(
                                            "upload refused with HTTP " + resp.statusCode()));
                        } else {
                            result.complete(null);
                        }
                    });
        } catch (IOException | TransferException | IllegalArgumentException e) {
            result.completeExceptionally(e);
        }
        return result;
    }

    /**
     * A downloaded file.
     *
     * @param file the spooled file
     * @param mediaType the server's Content-Type, or null
     */
    public record Downloaded(FileSpool.SpooledFile file, String mediaType) {}

    /**
     * Downloads a link into the spool: only http and https, the status must be 2xx, at most {@code
     * maxBytes}, and when the server gave a Content-Length it must match the bytes received.
     *
     * @param url the link
     * @param spool the host's spool
     * @param source the conversation the file belongs to (for the spool)
     * @param offerId an id for the offer (for the spool)
     * @param maxBytes the size limit
     */
    public CompletableFuture<Downloaded> download(
            URI url, FileSpool spool, Address source, String offerId, long maxBytes) {
        CompletableFuture<Downloaded> result = new CompletableFuture<>();
        try {
            checkScheme(url);
            HttpRequest req = HttpRequest.newBuilder(url).timeout(httpTimeout).GET().build();
            SpoolHandler handler = new SpoolHandler(spool, source, offerId, nameOf(url), maxBytes);
            CompletableFuture<HttpResponse<Downloaded>> f = client().sendAsync(req, handler);
            ScheduledFuture<?> deadline =
                    deadline(
                            () -> {
                                handler.abort(
                                        "timed out after " + transferTimeout.toSeconds() + " s");
                                f.cancel(true);
                            },
                            result);
            f.whenComplete(
                    (resp, err) -> {
                        deadline.cancel(false);
                        if (err != null) {
                            handler.abort(String.valueOf(err.getMessage()));
                            result.completeExceptionally(cause(err));
                        } else {
                            result.complete(resp.body());
                        }
                    });
        } catch (TransferException | IllegalArgumentException e) {
            result.completeExceptionally(e);
        }
        return result;
    }

    private ScheduledFuture<?> deadline(Runnable onTimeout, CompletableFuture<?> result) {
        try {
            ScheduledFuture<?> f =
                    scheduler.schedule(
                            () -> {
                                result.completeExceptionally(
                                        new TransferException(
                                                "timed out after "
                                                        + transferTimeout.toSeconds()
                                                        + " s"));
                                onTimeout.run();
                            },
                            transferTimeout.toMillis(),
                            TimeUnit.MILLISECONDS);
            deadlines.add(f);
            result.whenComplete((v, err) -> deadlines.remove(f));
            return f;
        } catch (RejectedExecutionException e) {
            throw new IllegalArgumentException("host scheduler stopped");
        }
    }

    private static void checkScheme(URI url) throws TransferException {
        String s = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!s.equals("http") && !s.equals("https")) {
            throw new TransferException("only http and https links are fetched, not '" + s + "'");
        }
        if (url.getHost() == null) {
            throw new TransferException("link without a host");
        }
    }

    private static Throwable cause(Throwable t) {
        while (t instanceof java.util.concurrent.CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** The last path segment, decoded, or {@code file}. */
    public static String nameOf(URI url) {
        String path = url.getRawPath() == null ? "" : url.getRawPath();
        String last = path.substring(path.lastIndexOf('/') + 1);
        try {
            last = URLDecoder.decode(last.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            // keep the raw segment
        }
        last = last.strip();
        return last.isEmpty() ? "file" : last;
    }

    @Override
    public synchronized void close() {
        closed = true;
        for (ScheduledFuture<?> f : deadlines) {
            f.cancel(false);
        }
        deadlines.clear();
        if (executor != null) {
            executor.shutdownNow();
        }
        executor = null;
        client = null;
    }

    /** A transfer failed for a reason worth one log line. */
    public static final class TransferException extends Exception {
        private static final long serialVersionUID = 1L;

        /**
         * @param message why
         */
        public TransferException(String message) {
            super(message);
        }
    }

    /** Checks the response head, then streams the body into a spool upload. */
    private static final class SpoolHandler implements HttpResponse.BodyHandler<Downloaded> {
        private final FileSpool spool;
        private final Address source;
        private final String offerId;
        private final String name;
        private final long maxBytes;
        private volatile SpoolSubscriber subscriber;
        private volatile String aborted;

        SpoolHandler(FileSpool spool, Address source, String offerId, String name, long maxBytes) {
            this.spool = spool;
            this.source = source;
            this.offerId = offerId;
            this.name = name;
            this.maxBytes = maxBytes;
        }

        void abort(String why) {
            aborted = why;
            SpoolSubscriber s = subscriber;
            if (s != null) {
                s.fail(new TransferException(why));
            }
        }

        @Override
        public HttpResponse.BodySubscriber<Downloaded> apply(HttpResponse.ResponseInfo info) {
            String type = info.headers().firstValue("Content-Type").orElse(null);
            long length = info.headers().firstValueAsLong("Content-Length").orElse(-1);
            SpoolSubscriber s = new SpoolSubscriber(maxBytes, length, type);
            subscriber = s;
            if (aborted != null) {
                s.fail(new TransferException(aborted));
            } else if (info.statusCode() / 100 != 2) {
                s.fail(new TransferException("server answered HTTP " + info.statusCode()));
            } else if (length > maxBytes) {
                s.fail(
                        new TransferException(
                                "file of "
                                        + length
                                        + " bytes is over the limit of "
                                        + maxBytes
                                        + " (max_download_bytes)"));
            } else {
                try {
                    s.upload = spool.receive(source, offerId, name, length, null);
                } catch (FileSpool.SpoolException | RuntimeException e) {
                    s.fail(new TransferException("spool refused the file: " + e.getMessage()));
                }
            }
            return s;
        }
    }

    /** Writes body chunks into a spool upload, enforcing the limit and the announced length. */
    private static final class SpoolSubscriber implements HttpResponse.BodySubscriber<Downloaded> {
        private final CompletableFuture<Downloaded> body = new CompletableFuture<>();
        private final long maxBytes;
        private final long announced;
        private final String mediaType;
        private volatile FileSpool.Upload upload;
        private volatile Flow.Subscription subscription;
        private long received;

        SpoolSubscriber(long maxBytes, long announced, String mediaType) {
            this.maxBytes = maxBytes;
            this.announced = announced;
            this.mediaType = mediaType;
        }

        void fail(Throwable t) {
            if (body.completeExceptionally(t)) {
                Flow.Subscription s = subscription;
                if (s != null) {
                    s.cancel();
                }
                FileSpool.Upload u = upload;
                if (u != null) {
                    u.abort();
                }
            }
        }

        @Override
        public CompletableFuture<Downloaded> getBody() {
            return body;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            if (body.isDone()) {
                s.cancel();
            } else {
                s.request(1);
            }
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            if (body.isDone()) {
                return;
            }
            try {
                for (ByteBuffer b : items) {
                    int len = b.remaining();
                    if (received + len > maxBytes) {
                        fail(
                                new TransferException(
                                        "file is over the limit of "
                                                + maxBytes
                                                + " bytes (max_download_bytes)"));
                        return;
                    }
                    byte[] chunk = new byte[len];
                    b.get(chunk);
                    upload.write(received, chunk, 0, len);
                    received += len;
                }
            } catch (FileSpool.SpoolException | RuntimeException e) {
                fail(new TransferException("spool write failed: " + e.getMessage()));
                return;
            }
            subscription.request(1);
        }

        @Override
        public void onError(Throwable t) {
            fail(
                    new TransferException(
                            "download broke off after "
                                    + received
                                    + (announced >= 0 ? " of " + announced : "")
                                    + " bytes: "
                                    + t.getMessage()));
        }

        @Override
        public void onComplete() {
            if (body.isDone()) {
                return;
            }
            if (announced >= 0 && received != announced) {
                fail(
                        new TransferException(
                                "received "
                                        + received
                                        + " bytes but Content-Length said "
                                        + announced));
                return;
            }
            try {
                body.complete(new Downloaded(upload.complete(), mediaType));
            } catch (FileSpool.SpoolException | RuntimeException e) {
                fail(new TransferException("spool could not finish the file: " + e.getMessage()));
            }
        }
    }
}
