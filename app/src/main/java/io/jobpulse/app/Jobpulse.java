package io.jobpulse.app;

import io.jobpulse.app.security.KeysCommand;
import io.jobpulse.app.status.StatusCommand;
import io.jobpulse.app.watch.WatchCommand;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.Micronaut;

import java.io.Console;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.Map;

/**
 * The command line: {@code jobpulse dev} runs everything on this machine with its own Kafka and
 * PostgreSQL; {@code jobpulse serve} runs the configured roles against external ones.
 */
public final class Jobpulse {

    private static final String USAGE = """
                Usage: jobpulse <command>

                  dev [--demo] [--instances N]
                          run every role on this machine, with an embedded Kafka broker and PostgreSQL
                          (data under .jobpulse/; KAFKA_BOOTSTRAP_SERVERS / JDBC_URL use external ones instead);
                          --demo adds a pretend provider and a stream of demo jobs to watch;
                          --instances N (1 to 9) runs N instances, each with every role, behind one address
                  serve   run the roles in jobpulse.roles (JOBPULSE_ROLES) against external Kafka and PostgreSQL
                  audit <jobId> [--at <instant>]
                          a job's events as the log has them, what each did, and its state (as of the instant),
                          folded again from jobpulse.job-events
                  audit endpoint <endpointId>
                          an outbound webhook endpoint's changes as jobpulse.endpoints has them (never its secrets)
                  replay projections [--force]
                          rebuild the read model from jobpulse.job-status beside the live one, then swap
                  replay topology
                          rebuild the topology's state stores from jobpulse.job-events (topology instances stopped)
                          and check them against the previous ones
                  keys create --name <name> --scopes <scope,...> [--owner <owner>] | keys list | keys revoke <id>
                          API keys for services and workers (scopes jobs:submit, jobs:report, jobs:read, admin),
                          stored hashed in PostgreSQL
                  status  the deployment at a glance: its instances and their roles, every consumer group with its state,
                          members and lag per topic, and each instance's Kafka Streams state and stores (restoring, how far)
                  watch [--token <token>] [--url <url>]
                          your newest jobs, live (status, progress, elapsed, message), through the public API at
                          JOBPULSE_URL (http://localhost:8080) with JOBPULSE_TOKEN; one line per change when not on a terminal
                  help    show this

                audit, replay, keys and status work on the deployment that KAFKA_BOOTSTRAP_SERVERS and JDBC_URL
                (JDBC_USERNAME, JDBC_PASSWORD) name, else on the running ./jobpulse dev (JOBPULSE_HOME,
                JOBPULSE_DEV_KAFKA_PORT, JOBPULSE_DEV_POSTGRES_PORT); see docs/operations.md.
                """;

    private Jobpulse() {
    }

    public static void main(String[] args) throws Exception {
        int status = run(args, System.getenv(), System.out, System.err);
        boolean keepsRunning = args.length > 0 && (args[0].equals("dev") || args[0].equals("serve"));
        if (status != 0 || !keepsRunning) {
            // A one-shot command ends when its work is done, whatever threads a client library left behind.
            System.exit(status);
        }
    }

    /**
     * Runs a command as typed, with the environment given: its output on {@code out}, a problem a person can fix
     * as one line on {@code err}. Returns the exit status ({@code dev} and {@code serve} return while they run).
     */
    static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) throws Exception {
        String command = args.length == 0 ? "help" : args[0];
        String[] rest = Arrays.copyOfRange(args, Math.min(1, args.length), args.length);
        try {
            switch (command) {
                case "dev" -> DevCommand.run(rest);
                case "serve" -> {
                    EndWithDev.watchIfAsked();
                    serve(rest, Map.of());
                }
                case "audit" -> AuditCommand.run(rest, Deployment.of(env), out);
                case "replay" -> ReplayCommand.run(rest, Deployment.of(env), out);
                case "keys" -> KeysCommand.run(rest, Deployment.of(env), out);
                case "status" -> StatusCommand.run(rest, Deployment.of(env), env, out);
                case "watch" -> WatchCommand.run(rest, env, out, out == System.out && stdoutIsTerminal());
                case "help", "--help", "-h" -> out.println(USAGE);
                default -> {
                    err.println("jobpulse: unknown command '" + command + "'");
                    err.println(USAGE);
                    return 2;
                }
            }
            return 0;
        } catch (IllegalStateException | IllegalArgumentException e) {
            // Problems a person can fix: say what, not where in the code.
            err.println("jobpulse: " + e.getMessage());
            return 1;
        }
    }

    /** Whether standard output is a terminal (Java 22 and later tell it apart from a console whose output is redirected). */
    private static boolean stdoutIsTerminal() {
        Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            return (boolean) Console.class.getMethod("isTerminal").invoke(console);
        } catch (ReflectiveOperationException e) {
            return true;
        }
    }

    /** Starts the application with the roles and infrastructure that the configuration names. */
    static ApplicationContext serve(String[] args, Map<String, Object> properties) {
        return Micronaut.build(args)
                .mainClass(Jobpulse.class)
                .banner(false)
                .properties(properties)
                .start();
    }

}
