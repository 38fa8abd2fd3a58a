package io.jobpulse.app.security;

import io.jobpulse.events.Roles;
import io.micronaut.context.ApplicationContext;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * {@code jobpulse keys create|list|revoke}: API keys for services and workers, in the
 * configured PostgreSQL ({@code JDBC_URL}).
 */
public final class KeysCommand {

    /** The environment of this command's context, which plays no role (so {@code RoleCheck} stands aside). */
    public static final String ENVIRONMENT = "keys-command";

    static final String USAGE = """
            usage: jobpulse keys create --name <name> --scopes <scope,...> [--owner <owner>]
                   jobpulse keys list
                   jobpulse keys revoke <key id>
            scopes: jobpulse:jobs:submit, jobpulse:jobs:report, jobpulse:jobs:read, jobpulse:admin""";

    private KeysCommand() {
    }

    public static void run(String[] args, Map<String, Object> properties, PrintStream out) {
        if (args.length == 0) {
            throw new IllegalArgumentException(USAGE);
        }
        Map<String, Object> props = new HashMap<>(properties);
        // No role: nothing consumes, schedules or serves. Every context opens the data source and
        // applies the migrations, whatever its roles, and that is all this command needs.
        props.put(Roles.PROPERTY, "");
        props.put("jobpulse.topics.provision", "false");
        try (ApplicationContext context = ApplicationContext.builder().properties(props).environments(ENVIRONMENT).start()) {
            ApiKeys keys = context.getBean(ApiKeys.class);
            switch (args[0]) {
                case "create" -> {
                    Map<String, String> options = options(args);
                    ApiKeys.Created created = keys.create(options.get("--name"), ApiKeys.parseScopes(options.getOrDefault("--scopes", "")),
                            options.get("--owner"));
                    out.println("key id: " + created.id());
                    out.println("key:    " + created.key());
                    out.println("It is shown only now; Jobpulse keeps only its hash. Use it as 'Authorization: Bearer <key>'.");
                }
                case "list" -> {
                    out.printf("%-18s %-20s %-36s %-16s %-22s %s%n", "id", "name", "scopes", "owner", "created", "revoked");
                    for (ApiKeys.Listed key : keys.list()) {
                        out.printf("%-18s %-20s %-36s %-16s %-22s %s%n", key.id(), key.name(),
                                key.scopes().stream().sorted().collect(Collectors.joining(",")),
                                key.owner() == null ? "(any)" : key.owner(), key.createdAt().toString().substring(0, 19),
                                key.revokedAt() == null ? "" : key.revokedAt().toString().substring(0, 19));
                    }
                }
                case "revoke" -> {
                    if (args.length != 2) {
                        throw new IllegalArgumentException(USAGE);
                    }
                    out.println(keys.revoke(args[1]) ? "revoked " + args[1] + " (instances stop accepting it within the key cache time, 30 s by default)"
                            : "no live key " + args[1]);
                }
                default -> throw new IllegalArgumentException(USAGE);
            }
        }
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> options = new HashMap<>();
        List<String> rest = new ArrayList<>(List.of(args).subList(1, args.length));
        while (!rest.isEmpty()) {
            String name = rest.removeFirst();
            if (!name.startsWith("--") || rest.isEmpty()) {
                throw new IllegalArgumentException(USAGE);
            }
            options.put(name, rest.removeFirst());
        }
        return options;
    }
}
