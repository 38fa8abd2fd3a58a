package io.jobpulse.app.security;

import io.jobpulse.app.Deployment;
import io.jobpulse.events.Roles;
import io.micronaut.context.ApplicationContext;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code jobpulse keys create|list|revoke}: API keys for services and workers, in the
 * deployment's PostgreSQL ({@link Deployment}: {@code JDBC_URL}, else the running {@code ./jobpulse dev}'s).
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

    public static void run(String[] args, Deployment deployment, PrintStream out) {
        // The arguments first: a mistake in them is said before anything is asked of the database.
        String command = args.length == 0 ? "" : args[0];
        Map<String, String> options = Map.of();
        switch (command) {
            case "create" -> {
                options = options(args);
                if (!options.containsKey("--name") || !options.containsKey("--scopes")
                        || !Set.of("--name", "--scopes", "--owner").containsAll(options.keySet())) {
                    throw new IllegalArgumentException(USAGE);
                }
                ApiKeys.parseScopes(options.get("--scopes"));
            }
            case "list" -> {
                if (args.length != 1) {
                    throw new IllegalArgumentException(USAGE);
                }
            }
            case "revoke" -> {
                if (args.length != 2) {
                    throw new IllegalArgumentException(USAGE);
                }
            }
            default -> throw new IllegalArgumentException(USAGE);
        }
        deployment.requirePostgres();
        Deployment.quietContextStartLog();
        Map<String, Object> props = new HashMap<>(deployment.properties());
        // No role: nothing consumes, schedules or serves. Every context opens the data source and
        // applies the migrations, whatever its roles, and that is all this command needs.
        props.put(Roles.PROPERTY, "");
        props.put("jobpulse.topics.provision", "false");
        try (ApplicationContext context = ApplicationContext.builder().properties(props).environments(ENVIRONMENT).start()) {
            ApiKeys keys = context.getBean(ApiKeys.class);
            switch (command) {
                case "create" -> {
                    ApiKeys.Created created = keys.create(options.get("--name"), ApiKeys.parseScopes(options.get("--scopes")),
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
                default -> out.println(keys.revoke(args[1])
                        ? "revoked " + args[1] + " (instances stop accepting it within the key cache time, 30 s by default)"
                        : "no live key " + args[1]);
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
