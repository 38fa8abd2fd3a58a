package io.jobpulse.app;

import io.jobpulse.app.security.KeysCommand;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.Micronaut;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * The command line: {@code jobpulse dev} runs everything on this machine with its own Kafka and
 * PostgreSQL; {@code jobpulse serve} runs the configured roles against external ones.
 */
public final class Jobpulse {

    private Jobpulse() {
    }

    public static void main(String[] args) throws Exception {
        String command = args.length == 0 ? "help" : args[0];
        String[] rest = Arrays.copyOfRange(args, Math.min(1, args.length), args.length);
        try {
            switch (command) {
                case "dev" -> DevCommand.run(rest);
                case "serve" -> serve(rest, Map.of());
                case "audit" -> AuditCommand.run(rest, bootstrapServers(), System.out);
                case "replay" -> ReplayCommand.run(rest, Map.of(), System.out);
                case "keys" -> KeysCommand.run(rest, keysDatabase(), System.out);
                case "help", "--help", "-h" -> usage(0);
                default -> {
                    System.err.println("Unknown command '" + command + "'.");
                    usage(2);
                }
            }
        } catch (IllegalStateException | IllegalArgumentException e) {
            // Start-up problems a person can fix: say what, not where in the code.
            System.err.println("jobpulse: " + e.getMessage());
            System.exit(1);
        }
    }

    /** The brokers a command line tool talks to: {@code KAFKA_BOOTSTRAP_SERVERS}, else the dev broker's default address. */
    static String bootstrapServers() {
        return System.getenv().getOrDefault("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092");
    }

    /** The database of API keys: {@code JDBC_URL}, else the one {@code ./jobpulse dev} runs (with its password). */
    static Map<String, Object> keysDatabase() throws IOException {
        if (System.getenv("JDBC_URL") != null) {
            return Map.of();
        }
        String port = System.getenv().getOrDefault("JOBPULSE_DEV_POSTGRES_PORT", "54329");
        Path passwordFile = Path.of(System.getenv().getOrDefault("JOBPULSE_HOME", ".jobpulse"), "postgres-password");
        String password = Files.exists(passwordFile) ? Files.readString(passwordFile).strip() : "";
        return Map.of("datasources.default.url", "jdbc:postgresql://127.0.0.1:" + port + "/jobpulse",
                "datasources.default.username", "postgres", "datasources.default.password", password);
    }

    /** Starts the application with the roles and infrastructure that the configuration names. */
    static ApplicationContext serve(String[] args, Map<String, Object> properties) {
        return Micronaut.build(args)
                .mainClass(Jobpulse.class)
                .banner(false)
                .properties(properties)
                .start();
    }

    private static void usage(int status) {
        System.out.println("""
                Usage: jobpulse <command>

                  dev [--demo]
                          run every role on this machine, with an embedded Kafka broker and PostgreSQL
                          (data under .jobpulse/; KAFKA_BOOTSTRAP_SERVERS / JDBC_URL use external ones instead);
                          --demo adds a pretend provider and a stream of demo jobs to watch
                  serve   run the roles in jobpulse.roles (JOBPULSE_ROLES) against external Kafka and PostgreSQL
                  audit <jobId> [--at <instant>]
                          a job's events as the log has them, what each did, and its state (as of the instant),
                          folded again from jobpulse.job-events (KAFKA_BOOTSTRAP_SERVERS, default 127.0.0.1:9092)
                  replay projections [--force]
                          rebuild the read model from jobpulse.job-status beside the live one, then swap
                  replay topology
                          rebuild the topology's state stores from jobpulse.job-events (topology instances stopped)
                          and check them against the previous ones
                  keys create --name <name> --scopes <scope,...> [--owner <owner>] | keys list | keys revoke <id>
                          API keys for services and workers (scopes jobs:submit, jobs:report, jobs:read, admin),
                          stored hashed in PostgreSQL (JDBC_URL)
                  help    show this
                """);
        System.exit(status);
    }
}
