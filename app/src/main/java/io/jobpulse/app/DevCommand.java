package io.jobpulse.app;

import io.jobpulse.app.dashboard.DevSignInController;
import io.jobpulse.app.security.JwtSecret;
import io.jobpulse.devstack.Balancer;
import io.jobpulse.devstack.DevStack;
import io.jobpulse.devstack.EmbeddedPostgresServer;
import io.jobpulse.devstack.FreePorts;
import io.jobpulse.devstack.HomeLock;
import io.jobpulse.devstack.SecretFiles;
import io.jobpulse.devstack.SupervisedProcess;
import io.jobpulse.events.KafkaSettings;
import io.jobpulse.events.Roles;
import io.jobpulse.topology.TopologyConfiguration;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code jobpulse dev}: one process with every role, its own Kafka broker (in this JVM) and
 * PostgreSQL (a child process), data under {@code .jobpulse/}. An external broker or database
 * given in the environment is used instead of the embedded one. Stopping (Ctrl-C, SIGTERM)
 * closes the application first, then the broker and the database; a PostgreSQL left behind by
 * a killed JVM is stopped by the next start.
 *
 * <p>{@code --instances N} (2 to {@value DevInstances#MAX}) runs the application as N processes instead,
 * each with every role, on the same broker and database, behind one address on dev's HTTP port: the
 * shape a deployment scales to, on one machine ({@link DevInstances}). It listens on loopback only,
 * since its instances see every client as the balancer's address.
 */
final class DevCommand {

    static final String DEV_ISSUER = "jobpulse-dev";
    static final String DEV_AUDIENCE = "jobpulse";
    private static final String INSTANCES = "--instances";

    private DevCommand() {
    }

    static void run(String[] args) throws IOException {
        long started = System.nanoTime();
        Map<String, String> env = System.getenv();
        int instances = instances(args);
        boolean demo = Arrays.asList(args).contains("--demo");
        String[] serveArgs = serveArguments(args);
        String host = env.getOrDefault("JOBPULSE_HOST", "127.0.0.1");
        if (instances > 1 && !InetAddress.getByName(host).isLoopbackAddress()) {
            // Behind the balancer every client comes from 127.0.0.1: dev's one-click sign-in would answer anyone.
            throw new IllegalArgumentException("--instances runs on this machine only (its instances see every client as the"
                    + " balancer, 127.0.0.1), so JOBPULSE_HOST must be a loopback address, not '" + host + "'");
        }
        Path home = Deployment.home(env);
        boolean externalKafka = env.containsKey("KAFKA_BOOTSTRAP_SERVERS");
        boolean externalDatabase = env.containsKey("JDBC_URL");
        int kafkaPort = Deployment.port(env, "JOBPULSE_DEV_KAFKA_PORT", Deployment.DEV_KAFKA_PORT);
        int postgresPort = Deployment.port(env, "JOBPULSE_DEV_POSTGRES_PORT", Deployment.DEV_POSTGRES_PORT);
        // One Jobpulse per data directory: a second one would stop the first's PostgreSQL as an orphan.
        HomeLock.acquire(home);
        // Instances of a killed dev --instances that are still ending hold their state directories: they go first.
        SupervisedProcess.stopLeftOver(DevInstances.directory(home));
        if (!externalDatabase) {
            // Holding the lock, this dev owns the data: a PostgreSQL still running on it was left by a
            // killed dev and holds the port checked below; it is stopped first, as the start would.
            EmbeddedPostgresServer.stopOrphan(home.resolve("postgres").toAbsolutePath());
        }
        // Every port is checked before anything starts, so that a taken one stops dev at once with one line.
        int httpPort = Deployment.port(env, "JOBPULSE_PORT", 8080);
        if (httpPort > 0) {
            FreePorts.require(httpPort, "Jobpulse's HTTP server, JOBPULSE_PORT");
        }
        if (!externalKafka) {
            FreePorts.require(kafkaPort, "the Kafka broker, JOBPULSE_DEV_KAFKA_PORT");
            FreePorts.require(kafkaPort + 1, "the Kafka controller, the port after JOBPULSE_DEV_KAFKA_PORT");
        }
        if (!externalDatabase) {
            FreePorts.require(postgresPort, "PostgreSQL, JOBPULSE_DEV_POSTGRES_PORT");
        }

        DevStack stack = DevStack.start(new DevStack.Options(home, !externalKafka, kafkaPort, kafkaPort + 1,
                !externalDatabase, postgresPort, true));
        Map<String, Object> properties = new HashMap<>();
        if (stack.hasKafka()) {
            properties.put(KafkaSettings.BOOTSTRAP_SERVERS, stack.kafka().bootstrapServers());
        }
        if (stack.hasPostgres()) {
            properties.put("datasources.default.url", stack.postgres().jdbcUrl());
            properties.put("datasources.default.username", "postgres");
            properties.put("datasources.default.password", stack.postgres().password());
        }
        String jwtSecret = env.getOrDefault("JOBPULSE_JWT_SECRET", "");
        if (jwtSecret.isEmpty()) {
            jwtSecret = SecretFiles.readOrCreate(home.resolve("jwt-secret"));
            properties.put("jobpulse.security.jwt-secret", jwtSecret);
        }
        // Dev's tokens name dev as their issuer and Jobpulse as their audience, and nothing else is taken.
        String issuer = env.getOrDefault("JOBPULSE_JWT_ISSUER", DEV_ISSUER);
        String audience = env.getOrDefault("JOBPULSE_JWT_AUDIENCE", DEV_AUDIENCE);
        properties.put("jobpulse.security.jwt-issuer", issuer);
        properties.put("jobpulse.security.jwt-audience", audience);
        if (env.getOrDefault("JOBPULSE_SIGNING_KEY", "").isEmpty()) {
            properties.put("jobpulse.security.signing-key", SecretFiles.readOrCreate(home.resolve("signing-key")));
        }
        // The dashboard offers dev's users with one click (GET /dev/sign-in); nothing but dev turns that on.
        properties.put(DevSignInController.PROPERTY, "true");
        // A receiver on the developer's own machine (http://localhost:3000/hooks) may be an endpoint.
        properties.put("jobpulse.notifications.allow-http", "true");
        properties.put("jobpulse.outbound.allowed-private-networks", List.of("127.0.0.1/32", "::1/128"));
        if (demo) {
            properties.putAll(demoProperties());
        }
        Credentials credentials = new Credentials(jwtSecret, issuer, audience);
        if (instances > 1) {
            Welcome welcome = startInstances(instances, serveArgs, home, stack, properties,
                    new InetSocketAddress(InetAddress.getByName(host), httpPort), Set.of(httpPort, kafkaPort, kafkaPort + 1, postgresPort));
            printWelcome(welcome, stack, Duration.ofNanos(System.nanoTime() - started), credentials);
            if (demo) {
                printDemo(welcome.url());
            }
            return;
        }
        if (stack.hasKafka()) {
            // Streams state belongs to one cluster: a new broker must not meet an old state directory.
            properties.put(TopologyConfiguration.STATE_DIR, Deployment.devStateDir(home, stack.kafka().clusterId()).toString());
            // The one dev instance: after a kill it takes its partitions straight back, in every group.
            properties.put("jobpulse.topology.instance-id", "jobpulse-dev");
            properties.put("jobpulse.consumers.instance-id", "jobpulse-dev");
        }
        // Reachable from this machine only, unless told otherwise.
        properties.put("micronaut.server.host", host);
        ApplicationContext context;
        try {
            context = Jobpulse.serve(serveArgs, properties);
        } catch (RuntimeException e) {
            stack.close();
            throw e;
        }
        // Micronaut's own hook stops the server and then the context; stopping the same way (the
        // server first) waits for it instead of deadlocking with it. The broker goes last.
        EmbeddedServer server = context.getBean(EmbeddedServer.class);
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("jobpulse-dev-stop").unstarted(() -> {
            server.stop();
            stack.close();
        }));
        String url = server.getURL().toString().replace("://127.0.0.1", "://localhost");
        printWelcome(new Welcome(url, context.getProperty(Roles.PROPERTY, String.class).orElse("?"),
                        context.getProperty(KafkaSettings.BOOTSTRAP_SERVERS, String.class).orElse("?"),
                        context.getProperty("datasources.default.url", String.class).orElse("?"), ""),
                stack, Duration.ofNanos(System.nanoTime() - started), credentials);
        if (demo) {
            printDemo(url);
        }
    }

    /** How many instances {@code --instances N} (or {@code --instances=N}) asks for: 1 without it. */
    static int instances(String[] args) {
        List<String> given = Arrays.asList(args);
        int flag = given.indexOf(INSTANCES);
        String value = flag >= 0 ? (flag + 1 < args.length ? args[flag + 1] : "")
                : given.stream().filter(arg -> arg.startsWith(INSTANCES + "=")).findFirst()
                        .map(arg -> arg.substring(INSTANCES.length() + 1)).orElse(null);
        if (value == null) {
            return 1;
        }
        int count;
        try {
            count = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            count = 0;
        }
        if (count < 1 || count > DevInstances.MAX) {
            throw new IllegalArgumentException(INSTANCES + " takes a number of instances from 1 to " + DevInstances.MAX
                    + (value.isEmpty() ? "" : ", not '" + value + "'"));
        }
        return count;
    }

    /** The arguments that go on to {@code serve}: all but dev's own. */
    static String[] serveArguments(String[] args) {
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals(INSTANCES)) {
                i++;
            } else if (!args[i].equals("--demo") && !args[i].startsWith(INSTANCES + "=")) {
                rest.add(args[i]);
            }
        }
        return rest.toArray(String[]::new);
    }

    /**
     * {@code dev --instances N}: the instances ({@link DevInstances}), with every setting this dev would give itself,
     * behind a {@link Balancer} at {@code address}; returns once they all answer, with what the banner says of them.
     * Stopping dev stops the instances first, then the balancer, the broker and the database.
     */
    private static Welcome startInstances(int count, String[] serveArgs, Path home, DevStack stack, Map<String, Object> properties,
                                          InetSocketAddress address, Set<Integer> taken) throws IOException {
        // Streams state belongs to one cluster, as a single dev's: a new broker must not meet an old state directory.
        Path stateDirs = stack.hasKafka() ? Deployment.devStateDir(home, stack.kafka().clusterId()) : home.resolve("streams");
        properties.put("micronaut.server.host", "127.0.0.1");
        // Each instance answers for the partitions it hosts and names itself to the others at this host;
        // a standby copy of each store lets another take over a killed instance's partitions with their state.
        properties.put("jobpulse.topology.advertised-host", "127.0.0.1");
        properties.put("jobpulse.topology.standby-replicas", "1");
        DevInstances instances = DevInstances.plan(count, home, stateDirs, taken, properties, serveArgs);
        Balancer balancer;
        try {
            balancer = Balancer.start(address.getAddress(), address.getPort(), instances.addresses());
        } catch (UncheckedIOException e) {
            stack.close();
            throw new IllegalStateException("Port " + address.getPort() + " (for Jobpulse's HTTP server, JOBPULSE_PORT) is in use: "
                    + e.getMessage(), e);
        }
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("jobpulse-dev-stop").unstarted(() -> {
            instances.close();
            balancer.close();
            stack.close();
        }));
        try {
            instances.start(System.out);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the instances started", e);
        }
        Object kafka = properties.getOrDefault(KafkaSettings.BOOTSTRAP_SERVERS, System.getenv("KAFKA_BOOTSTRAP_SERVERS"));
        Object jdbc = properties.getOrDefault("datasources.default.url", System.getenv("JDBC_URL"));
        return new Welcome("http://localhost:" + balancer.port(), DevInstances.EVERY_ROLE + " (in each instance)", String.valueOf(kafka),
                String.valueOf(jdbc), instancesSection(instances));
    }

    /** The banner's lines on the instances: each one's address and pid, and how to kill one. */
    private static String instancesSection(DevInstances instances) {
        Map<String, Long> pids = instances.pids();
        StringBuilder section = new StringBuilder();
        String label = "  instances   ";
        for (DevInstances.Instance instance : instances.instances()) {
            section.append(label).append(String.format("%-6s %s   pid %d%n", instance.id(), instance.url(), pids.get(instance.id())));
            label = " ".repeat(label.length());
        }
        DevInstances.Instance victim = instances.instances().get(1);
        section.append(label).append("each with every role; their output follows, after [dev-<n>]").append(System.lineSeparator())
                .append(System.lineSeparator())
                .append(String.format("Try a failure: kill -9 %d   (%s; dev starts it again, and the address above goes on answering)%n",
                        pids.get(victim.id()), victim.id()));
        return section.toString();
    }

    private static void printDemo(String url) {
        System.out.printf("""
                Demo: a pretend image model (provider "demo") gets a new job every 3 s, as alice; its signed
                callbacks (some dropped, doubled or stale) and polling move them. A webhook receiver on loopback,
                registered as alice's endpoint, logs each delivery it verified ("webhook job.succeeded job <id> v7
                verified"); the dashboard's Endpoints tab lists them. Watch:
                  curl -N '%s/v1/stream?tag=demo' -H "Authorization: Bearer $ALICE"
                  curl -s '%s/v1/jobs/summary' -H "Authorization: Bearer $ALICE"
                %n""", url, url);
    }

    /**
     * The demo: the pretend provider, the job stream and the webhook receiver ({@code io.jobpulse.app.demo}),
     * the {@code demo} provider's configuration, with a secret of this run's own, and plain http allowed
     * to the receiver's origin alone.
     */
    static Map<String, Object> demoProperties() {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        int port = FreePorts.pick();
        int receiverPort = FreePorts.pick();
        return Map.of(
                "jobpulse.demo.enabled", "true",
                "jobpulse.demo.provider-port", Integer.toString(port),
                "jobpulse.demo.receiver-port", Integer.toString(receiverPort),
                "jobpulse.notifications.http-origins", List.of("http://127.0.0.1:" + receiverPort),
                "jobpulse.providers.demo.secrets", List.of("whsec_" + Base64.getEncoder().encodeToString(secret)),
                "jobpulse.providers.demo.adapter", "replicate",
                // The pretend provider and the receiver serve on loopback: the provider's status URLs are the demo's,
                // the receiver's endpoint is the demo's, and loopback is allowed for them.
                "jobpulse.providers.demo.status-url", "http://127.0.0.1:" + port + "/v1/predictions/{requestId}",
                "jobpulse.outbound.allowed-private-networks", List.of("127.0.0.1/32", "::1/128"));
    }

    /** The JWT secret, issuer and audience of the tokens dev prints. */
    private record Credentials(String jwtSecret, String issuer, String audience) {

        String token(String user) {
            return JwtSecret.mint(jwtSecret, issuer, audience, user, null, DevSignInController.TOKEN_LIFETIME);
        }
    }

    /** What dev's banner names: its address, the roles, the broker and database, and (with --instances) its instances' lines. */
    private record Welcome(String url, String roles, String kafka, String jdbc, String instances) {
    }

    private static void printWelcome(Welcome welcome, DevStack stack, Duration startup, Credentials credentials) {
        String url = welcome.url();
        System.out.printf("""

                Jobpulse is ready in %.1f s.
                  Dashboard   %s/   (sign in as alice or bob with one click)
                  roles       %s
                  Kafka       %s%s
                  PostgreSQL  %s%s
                %s
                Two users' tokens (JWT, HS256, valid one day; a restart prints new ones), to try isolation:
                  export ALICE=%s
                  export BOB=%s

                Try it:
                  curl -si -X POST %s/v1/jobs -H "Authorization: Bearer $ALICE" -H 'Content-Type: application/json' -d '{"type":"image.generate","input":{"prompt":"a lighthouse"}}'
                  curl -N %s/v1/jobs/<id>/stream -H "Authorization: Bearer $ALICE"
                  curl -s -X POST %s/v1/jobs/<id>/reports -H "Authorization: Bearer $ALICE" -H 'Content-Type: application/json' -d '{"status":"running","progress":0.5}'
                  curl -s %s/v1/jobs -H "Authorization: Bearer $ALICE"
                  curl -s %s/v1/jobs/<id> -H "Authorization: Bearer $BOB"     # 404: not Bob's job

                Ctrl-C stops everything.
                %n""",
                startup.toMillis() / 1000.0, url, welcome.roles(),
                welcome.kafka(), stack.hasKafka() ? " (embedded)" : " (external)",
                welcome.jdbc(), stack.hasPostgres() ? " (embedded)" : " (external)",
                welcome.instances(), credentials.token("alice"), credentials.token("bob"), url, url, url, url, url);
    }
}
