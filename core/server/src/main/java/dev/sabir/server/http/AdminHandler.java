package dev.sabir.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sabir.api.Address;
import dev.sabir.api.FileSpool;
import dev.sabir.server.config.SabirConfig;
import dev.sabir.server.plugin.AccountStatus;
import dev.sabir.server.plugin.PluginStatus;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.DefaultFileRegion;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.EventExecutorGroup;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers admin HTTP requests. Requests arrive on the event loop and are answered on the admin
 * server's own executor (never blocking an event loop).
 */
@ChannelHandler.Sharable
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger log = LoggerFactory.getLogger(AdminHandler.class);
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d*)-(\\d*)");
    private static final Pattern MEDIA_TYPE = Pattern.compile("[a-z0-9.+-]+/[a-z0-9.+-]+");
    private static final Pattern LINK_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final AttributeKey<EventExecutor> WORKER =
            AttributeKey.valueOf(AdminHandler.class, "worker");
    private static final String PROMETHEUS_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final AdminServer.Sources sources;
    private final ObjectMapper json = new ObjectMapper();
    private final byte[] token;
    private final EventExecutorGroup workers;

    AdminHandler(AdminServer.Sources sources, EventExecutorGroup workers) {
        this.sources = sources;
        this.workers = workers;
        String t = sources.token();
        this.token = t == null || t.isEmpty() ? null : t.getBytes(StandardCharsets.UTF_8);
    }

    /** An HTTP error answered as JSON. */
    private static final class HttpError extends Exception {
        private static final long serialVersionUID = 1L;
        final HttpResponseStatus status;
        final transient Map<String, String> headers;

        HttpError(HttpResponseStatus status, String message) {
            this(status, message, Map.of());
        }

        HttpError(HttpResponseStatus status, String message, Map<String, String> headers) {
            super(message);
            this.status = status;
            this.headers = headers;
        }
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        // admin actions may touch the database: answer off the event loop, on one worker per
        // connection so that pipelined requests are answered in order
        EventExecutor worker = ctx.channel().attr(WORKER).get();
        if (worker == null) {
            worker = workers.next();
            ctx.channel().attr(WORKER).set(worker);
        }
        req.retain();
        try {
            worker.execute(
                    () -> {
                        try {
                            handle(ctx, req);
                        } finally {
                            req.release();
                        }
                    });
        } catch (RuntimeException rejected) {
            req.release();
            ctx.close();
        }
    }

    private void handle(ChannelHandlerContext ctx, FullHttpRequest req) {
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        try {
            if (req.decoderResult().isFailure()) {
                keepAlive = false;
                throw new HttpError(HttpResponseStatus.BAD_REQUEST, "malformed request");
            }
            route(ctx, req, keepAlive);
        } catch (HttpError e) {
            ObjectNode body = json.createObjectNode().put("error", e.getMessage());
            FullHttpResponse res = jsonResponse(e.status, body);
            e.headers.forEach((k, v) -> res.headers().set(k, v));
            send(ctx, req, res, keepAlive);
        } catch (RuntimeException | IOException e) {
            log.warn("admin {} {} failed: {}", req.method(), safePath(req.uri()), e.toString());
            ObjectNode body = json.createObjectNode().put("error", "internal error");
            send(ctx, req, jsonResponse(HttpResponseStatus.INTERNAL_SERVER_ERROR, body), false);
        }
    }

    private static String safePath(String uri) {
        int q = uri.indexOf('?');
        String p = q < 0 ? uri : uri.substring(0, q);
        return p.length() > 200 ? p.substring(0, 200) + "..." : p;
    }

    private void route(ChannelHandlerContext ctx, FullHttpRequest req, boolean keepAlive)
            throws HttpError, IOException {
        String rawPath = new QueryStringDecoder(req.uri()).rawPath();
        List<String> seg = new ArrayList<>();
        for (String s : rawPath.split("/")) {
            if (!s.isEmpty()) {
                seg.add(QueryStringDecoder.decodeComponent(s));
            }
        }
        HttpMethod m = req.method();
        if (seg.isEmpty()) {
            allow(m, "GET", "HEAD");
            sendText(
                    ctx,
                    req,
                    keepAlive,
                    "Sabir admin: /health, /metrics, /api/links, /api/accounts\n",
                    "text/plain; charset=utf-8");
            return;
        }
        switch (seg.get(0)) {
            case "health" -> {
                exact(seg, 1);
                allow(m, "GET", "HEAD");
                send(ctx, req, jsonResponse(HttpResponseStatus.OK, health()), keepAlive);
            }
            case "metrics" -> {
                exact(seg, 1);
                allow(m, "GET", "HEAD");
                sendText(ctx, req, keepAlive, sources.registry().scrape(), PROMETHEUS_TYPE);
            }
            case "files" -> {
                if (seg.size() < 2 || seg.size() > 3) {
                    throw notFound();
                }
                allow(m, "GET", "HEAD");
                serveFile(ctx, req, seg.get(1), keepAlive);
            }
            case "api" -> {
                authorize(req);
                api(ctx, req, seg, keepAlive);
            }
            default -> throw notFound();
        }
    }

    private static HttpError notFound() {
        return new HttpError(HttpResponseStatus.NOT_FOUND, "not found");
    }

    private static void exact(List<String> seg, int n) throws HttpError {
        if (seg.size() != n) {
            throw notFound();
        }
    }

    private static void allow(HttpMethod m, String... methods) throws HttpError {
        for (String s : methods) {
            if (m.name().equals(s)) {
                return;
            }
        }
        throw new HttpError(
                HttpResponseStatus.METHOD_NOT_ALLOWED,
                "method " + m.name() + " not allowed",
                Map.of(HttpHeaderNames.ALLOW.toString(), String.join(", ", methods)));
    }

    private void authorize(FullHttpRequest req) throws HttpError {
        if (token == null) {
            return;
        }
        String header = req.headers().get(HttpHeaderNames.AUTHORIZATION);
        byte[] given = new byte[0];
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            given = header.substring(7).trim().getBytes(StandardCharsets.UTF_8);
        }
        if (!MessageDigest.isEqual(given, token)) {
            throw new HttpError(
                    HttpResponseStatus.UNAUTHORIZED,
                    "a valid bearer token is required",
                    Map.of(HttpHeaderNames.WWW_AUTHENTICATE.toString(), "Bearer realm=\"sabir\""));
        }
    }

    // ------------------------------------------------------------------ health

    private ObjectNode health() {
        ObjectNode root = json.createObjectNode();
        root.put("status", "up");
        ArrayNode plugins = root.putArray("plugins");
        for (PluginStatus p : sources.plugins().get()) {
            ObjectNode n = plugins.addObject();
            n.put("id", p.id());
            n.put("version", p.version());
            n.put("state", p.state());
            ArrayNode protocols = n.putArray("protocols");
            if (p.protocols() != null) {
                p.protocols().forEach(protocols::add);
            }
            n.put("reason", p.reason() == null ? "" : p.reason());
        }
        root.set("accounts", accountsJson());
        return root;
    }

    private ArrayNode accountsJson() {
        ArrayNode accounts = json.createArrayNode();
        for (AccountStatus a : sources.accounts().get()) {
            ObjectNode n = accounts.addObject();
            n.put("name", a.name());
            n.put("plugin", a.plugin());
            n.put("state", a.state());
            n.put("reason", a.reason() == null ? "" : a.reason());
        }
        return accounts;
    }

    // ------------------------------------------------------------------ admin API

    private void api(
            ChannelHandlerContext ctx, FullHttpRequest req, List<String> seg, boolean keepAlive)
            throws HttpError {
        HttpMethod m = req.method();
        AdminServer.Actions actions = sources.actions();
        if (seg.size() >= 2 && seg.get(1).equals("links")) {
            if (seg.size() == 2) {
                allow(m, "GET", "POST");
                if (m.equals(HttpMethod.GET)) {
                    ArrayNode out = json.createArrayNode();
                    actions.links().forEach(l -> out.add(linkJson(l)));
                    send(ctx, req, jsonResponse(HttpResponseStatus.OK, out), keepAlive);
                } else {
                    SabirConfig.LinkEntry link = parseLink(req);
                    for (SabirConfig.LinkEntry l : actions.links()) {
                        if (l.name().equals(link.name())) {
                            throw new HttpError(
                                    HttpResponseStatus.CONFLICT,
                                    "a link named '" + link.name() + "' exists");
                        }
                    }
                    try {
                        actions.createLink(link);
                    } catch (IllegalArgumentException e) {
                        throw new HttpError(HttpResponseStatus.BAD_REQUEST, e.getMessage());
                    }
                    log.info(
                            "admin API: link {} created with {} members",
                            link.name(),
                            link.members().size());
                    FullHttpResponse res = jsonResponse(HttpResponseStatus.CREATED, linkJson(link));
                    res.headers()
                            .set(HttpHeaderNames.LOCATION, "/api/links/" + encode(link.name()));
                    send(ctx, req, res, keepAlive);
                }
                return;
            }
            if (seg.size() == 3) {
                allow(m, "GET", "DELETE");
                String name = seg.get(2);
                if (m.equals(HttpMethod.GET)) {
                    for (SabirConfig.LinkEntry l : actions.links()) {
                        if (l.name().equals(name)) {
                            send(
                                    ctx,
                                    req,
                                    jsonResponse(HttpResponseStatus.OK, linkJson(l)),
                                    keepAlive);
                            return;
                        }
                    }
                    throw new HttpError(
                            HttpResponseStatus.NOT_FOUND, "no link named '" + name + "'");
                }
                if (!actions.removeLink(name)) {
                    throw new HttpError(
                            HttpResponseStatus.NOT_FOUND, "no link named '" + name + "'");
                }
                log.info("admin API: link {} removed", name);
                send(ctx, req, empty(HttpResponseStatus.NO_CONTENT), keepAlive);
                return;
            }
        }
        if (seg.size() >= 2 && seg.get(1).equals("accounts")) {
            if (seg.size() == 2) {
                allow(m, "GET");
                send(ctx, req, jsonResponse(HttpResponseStatus.OK, accountsJson()), keepAlive);
                return;
            }
            if (seg.size() == 4 && seg.get(3).equals("command")) {
                allow(m, "POST");
                String name = seg.get(2);
                JsonNode body;
                try {
                    body = json.readTree(req.content().toString(StandardCharsets.UTF_8));
                } catch (JsonProcessingException e) {
                    throw new HttpError(HttpResponseStatus.BAD_REQUEST, "body is not JSON");
                }
                if (body == null || !body.path("command").isTextual()) {
                    throw new HttpError(
                            HttpResponseStatus.BAD_REQUEST,
                            "expected {\"command\": ..., \"args\": [...]}");
                }
                java.util.List<String> args = new java.util.ArrayList<>();
                body.path("args").forEach(a -> args.add(a.asText()));
                java.util.Optional<String> out;
                try {
                    out = actions.runCommand(name, body.path("command").asText(), args);
                } catch (IllegalArgumentException e) {
                    throw new HttpError(HttpResponseStatus.BAD_REQUEST, e.getMessage());
                }
                if (out.isEmpty()) {
                    throw new HttpError(
                            HttpResponseStatus.NOT_FOUND, "no account named '" + name + "'");
                }
                ObjectNode result =
                        json.createObjectNode().put("account", name).put("output", out.get());
                send(ctx, req, jsonResponse(HttpResponseStatus.OK, result), keepAlive);
                return;
            }
            if (seg.size() == 4 && seg.get(3).equals("restart")) {
                allow(m, "POST");
                String name = seg.get(2);
                if (!actions.restartAccount(name)) {
                    throw new HttpError(
                            HttpResponseStatus.NOT_FOUND, "no account named '" + name + "'");
                }
                log.info("admin API: account {} restarted", name);
                ObjectNode body =
                        json.createObjectNode().put("account", name).put("restarting", true);
                send(ctx, req, jsonResponse(HttpResponseStatus.ACCEPTED, body), keepAlive);
                return;
            }
        }
        throw notFound();
    }

    private ObjectNode linkJson(SabirConfig.LinkEntry l) {
        ObjectNode n = json.createObjectNode();
        n.put("name", l.name());
        ArrayNode members = n.putArray("members");
        l.members().forEach(a -> members.add(a.toString()));
        n.put("format", l.format());
        n.set("options", json.valueToTree(l.options() == null ? Map.of() : l.options()));
        return n;
    }

    private SabirConfig.LinkEntry parseLink(FullHttpRequest req) throws HttpError {
        JsonNode body;
        try {
            body = json.readTree(req.content().toString(StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new HttpError(
                    HttpResponseStatus.BAD_REQUEST, "body is not JSON: " + e.getOriginalMessage());
        }
        if (body == null || !body.isObject()) {
            throw new HttpError(HttpResponseStatus.BAD_REQUEST, "expected a JSON object");
        }
        String name = body.path("name").asText("");
        if (!LINK_NAME.matcher(name).matches()) {
            throw new HttpError(HttpResponseStatus.BAD_REQUEST, "bad or missing link name");
        }
        JsonNode membersNode = body.path("members");
        if (!membersNode.isArray() || membersNode.size() < 2) {
            throw new HttpError(
                    HttpResponseStatus.BAD_REQUEST,
                    "members must be a list of at least two addresses");
        }
        List<Address> members = new ArrayList<>();
        for (JsonNode n : membersNode) {
            try {
                Address a = Address.parse(n.asText());
                if (a.id().isEmpty()) {
                    throw new IllegalArgumentException("'" + a + "' names no conversation");
                }
                if (members.contains(a)) {
                    throw new IllegalArgumentException("'" + a + "' is listed twice");
                }
                members.add(a);
            } catch (IllegalArgumentException e) {
                throw new HttpError(
                        HttpResponseStatus.BAD_REQUEST, "bad member: " + e.getMessage());
            }
        }
        String format =
                body.path("format")
                        .asText(dev.sabir.server.config.ConfigLoader.DEFAULT_LINK_FORMAT);
        Map<String, Object> options = new LinkedHashMap<>();
        JsonNode opts = body.path("options");
        if (opts.isObject()) {
            options.putAll(json.convertValue(opts, new TypeReference<Map<String, Object>>() {}));
        }
        return new SabirConfig.LinkEntry(name, List.copyOf(members), format, Map.copyOf(options));
    }

    // ------------------------------------------------------------------ files

    private void serveFile(
            ChannelHandlerContext ctx, FullHttpRequest req, String id, boolean keepAlive)
            throws HttpError, IOException {
        FileSpool spool = sources.spool();
        Optional<FileSpool.SpooledFile> found = spool == null ? Optional.empty() : spool.find(id);
        if (found.isEmpty()) {
            throw notFound();
        }
        FileSpool.SpooledFile f = found.get();
        long size = f.size();
        long start = 0;
        long end = size - 1;
        boolean partial = false;
        String range = req.headers().get(HttpHeaderNames.RANGE);
        if (range != null) {
            Matcher rm = RANGE.matcher(range.trim());
            if (rm.matches() && !(rm.group(1).isEmpty() && rm.group(2).isEmpty())) {
                try {
                    if (rm.group(1).isEmpty()) {
                        long suffix = Long.parseLong(rm.group(2));
                        start = Math.max(0, size - suffix);
                    } else {
                        start = Long.parseLong(rm.group(1));
                        if (!rm.group(2).isEmpty()) {
                            end = Math.min(end, Long.parseLong(rm.group(2)));
                        }
                    }
                } catch (NumberFormatException e) {
                    start = size; // absurd numbers: unsatisfiable
                }
                if (start >= size || start > end) {
                    throw new HttpError(
                            HttpResponseStatus.REQUESTED_RANGE_NOT_SATISFIABLE,
                            "range not satisfiable",
                            Map.of(HttpHeaderNames.CONTENT_RANGE.toString(), "bytes */" + size));
                }
                partial = true;
            } // other forms (several ranges) are ignored: the whole file is sent
        }
        long length = size == 0 ? 0 : end - start + 1;
        HttpResponse res =
                new DefaultHttpResponse(
                        HttpVersion.HTTP_1_1,
                        partial ? HttpResponseStatus.PARTIAL_CONTENT : HttpResponseStatus.OK);
        String type =
                f.mediaType() != null && MEDIA_TYPE.matcher(f.mediaType()).matches()
                        ? f.mediaType()
                        : "application/octet-stream";
        boolean inline =
                (type.startsWith("image/") && !type.contains("svg"))
                        || type.startsWith("audio/")
                        || type.startsWith("video/");
        res.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, type)
                .set(HttpHeaderNames.CONTENT_LENGTH, length)
                .set(HttpHeaderNames.ACCEPT_RANGES, "bytes")
                .set(HttpHeaderNames.ETAG, "\"" + f.sha256() + "\"")
                .set(HttpHeaderNames.CACHE_CONTROL, "private, max-age=86400")
                .set("X-Content-Type-Options", "nosniff")
                .set("Content-Security-Policy", "default-src 'none'; sandbox")
                .set(
                        HttpHeaderNames.CONTENT_DISPOSITION,
                        (inline ? "inline" : "attachment")
                                + "; filename*=UTF-8''"
                                + encode(f.name()));
        if (partial) {
            res.headers()
                    .set(HttpHeaderNames.CONTENT_RANGE, "bytes " + start + "-" + end + "/" + size);
        }
        HttpUtil.setKeepAlive(res, keepAlive);
        if (req.method().equals(HttpMethod.HEAD) || length == 0) {
            ctx.write(res);
            finish(ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT), keepAlive);
            return;
        }
        FileChannel channel = FileChannel.open(f.path(), StandardOpenOption.READ);
        ctx.write(res);
        ctx.write(new DefaultFileRegion(channel, start, length));
        finish(ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT), keepAlive);
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    // ------------------------------------------------------------------ responses

    private FullHttpResponse jsonResponse(HttpResponseStatus status, JsonNode body) {
        byte[] bytes;
        try {
            bytes = json.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        FullHttpResponse res =
                new DefaultFullHttpResponse(
                        HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(bytes));
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        res.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        return res;
    }

    private static FullHttpResponse empty(HttpResponseStatus status) {
        return new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.EMPTY_BUFFER);
    }

    private void sendText(
            ChannelHandlerContext ctx,
            FullHttpRequest req,
            boolean keepAlive,
            String text,
            String type) {
        ByteBuf buf = Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
        FullHttpResponse res =
                new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, buf);
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
        send(ctx, req, res, keepAlive);
    }

    private static void send(
            ChannelHandlerContext ctx,
            FullHttpRequest req,
            FullHttpResponse res,
            boolean keepAlive) {
        HttpUtil.setContentLength(res, res.content().readableBytes());
        HttpUtil.setKeepAlive(res, keepAlive);
        if (req.method().equals(HttpMethod.HEAD)) {
            HttpResponse head =
                    new DefaultHttpResponse(res.protocolVersion(), res.status(), res.headers());
            res.release();
            ctx.write(head);
            finish(ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT), keepAlive);
            return;
        }
        finish(ctx.writeAndFlush(res), keepAlive);
    }

    private static void finish(ChannelFuture f, boolean keepAlive) {
        if (!keepAlive) {
            f.addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent) {
            ctx.close();
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug(
                "admin connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
