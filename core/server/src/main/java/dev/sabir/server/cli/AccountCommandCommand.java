package dev.sabir.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sabir.server.config.ConfigException;
import dev.sabir.server.config.SabirConfig;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code sabir command ACCOUNT NAME [ARGS...]}: runs an operator command on an account of the
 * running server, through its admin API. {@code sabir simplex invite|join ...} is a shorthand.
 */
@Command(
        name = "command",
        description = "Run an operator command on an account of the running server (admin API).")
public class AccountCommandCommand implements Callable<Integer> {

    @Option(
            names = {"-c", "--config"},
            defaultValue = SabirCommand.DEFAULT_CONFIG,
            description = "config file of the running server (default: ${DEFAULT-VALUE})")
    Path config;

    @Parameters(index = "0", description = "account name")
    String account;

    @Parameters(index = "1", description = "command, e.g. invite or join")
    String command;

    @Parameters(index = "2..*", description = "arguments")
    List<String> args = List.of();

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        return send(spec, config, account, command, args == null ? List.of() : args);
    }

    static int send(
            CommandLine.Model.CommandSpec spec,
            Path configFile,
            String account,
            String command,
            List<String> args)
            throws Exception {
        SabirConfig config;
        try {
            config = SabirConfig.load(configFile);
        } catch (ConfigException e) {
            spec.commandLine().getErr().println(e.getMessage());
            return SabirCommand.EXIT_CONFIG;
        }
        InetSocketAddress admin = config.admin().listen();
        String host = admin.getHostString();
        if (host.equals("0.0.0.0") || host.equals("::")) {
            host = "127.0.0.1";
        }
        ObjectMapper json = new ObjectMapper();
        ObjectNode body = json.createObjectNode().put("command", command);
        args.forEach(body.putArray("args")::add);
        if (args.isEmpty()) {
            body.putArray("args");
        }
        HttpRequest.Builder req =
                HttpRequest.newBuilder(
                                URI.create(
                                        "http://"
                                                + (host.contains(":") ? "[" + host + "]" : host)
                                                + ":"
                                                + admin.getPort()
                                                + "/api/accounts/"
                                                + account
                                                + "/command"))
                        .timeout(Duration.ofSeconds(30))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
        String token = config.admin().token();
        if (token != null && !token.isEmpty()) {
            req.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> resp;
        try {
            resp =
                    HttpClient.newBuilder()
                            .connectTimeout(Duration.ofSeconds(5))
                            .build()
                            .send(req.build(), HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            spec.commandLine()
                    .getErr()
                    .println("cannot reach Sabir's admin API at " + admin + ": " + e.getMessage());
            return SabirCommand.EXIT_FAILURE;
        }
        JsonNode answer = json.readTree(resp.body().isEmpty() ? "{}" : resp.body());
        if (resp.statusCode() != 200) {
            spec.commandLine()
                    .getErr()
                    .println(
                            "refused ("
                                    + resp.statusCode()
                                    + "): "
                                    + answer.path("error").asText(resp.body()));
            return SabirCommand.EXIT_FAILURE;
        }
        spec.commandLine().getOut().println(answer.path("output").asText());
        return 0;
    }

    /** {@code sabir simplex invite ACCOUNT GROUP} and {@code sabir simplex join ACCOUNT TEXT}. */
    @Command(
            name = "simplex",
            description = {
                "SimpleX-style groups on the running server:",
                "  simplex invite ACCOUNT GROUP   print an invitation for a new member",
                "  simplex join ACCOUNT TEXT      join a group with an invitation"
            })
    public static class Simplex implements Callable<Integer> {
        @Option(
                names = {"-c", "--config"},
                defaultValue = SabirCommand.DEFAULT_CONFIG,
                description = "config file of the running server (default: ${DEFAULT-VALUE})")
        Path config;

        @Parameters(index = "0", description = "invite or join")
        String action;

        @Parameters(index = "1", description = "the simplex account")
        String account;

        @Parameters(index = "2", description = "group name (invite) or invitation text (join)")
        String argument;

        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            if (!action.equals("invite") && !action.equals("join")) {
                spec.commandLine()
                        .getErr()
                        .println("expected invite or join, got '" + action + "'");
                return SabirCommand.EXIT_CONFIG;
            }
            return send(spec, config, account, action, List.of(argument));
        }
    }
}
