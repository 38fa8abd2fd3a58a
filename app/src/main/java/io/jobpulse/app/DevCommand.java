package io.jobpulse.app;

import io.jobpulse.app.dashboard.DevSignInController;
import io.jobpulse.app.security.JwtSecret;
import io.jobpulse.devstack.DevStack;
import io.jobpulse.devstack.EmbeddedPostgresServer;
import io.jobpulse.devstack.FreePorts;
import io.jobpulse.devstack.HomeLock;
import io.jobpulse.devstack.SecretFiles;
import io.jobpulse.events.KafkaSettings;
import io.jobpulse.events.Roles;
import io.jobpulse.topology.TopologyConfiguration;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;

import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code jobpulse dev}: one process with every role, its own Kafka broker (in this JVM) and
 * PostgreSQL (a child process), data under {@code .jobpulse/}. An external broker or database
 * given in the environment is used instead of the embedded one. Stopping (Ctrl-C, SIGTERM)
 * closes the application first, then the broker and the database; a PostgreSQL left behind by
 * a killed JVM is stopped by the next start.
 */
final class DevCommand {

    static final String DEV_ISSUER = "jobpulse-dev";
    static final String DEV_AUDIENCE = "jobpulse";

    private DevCommand() {
    }

    static void run(String[] args) throws IOException {
        long started = System.nanoTime();
        Map<String, String> env = System.getenv();
        Path home = Deployment.home(env);
        boolean externalKafka = env.containsKey("KAFKA_BOOTSTRAP_SERVERS");
        boolean externalDatabase = env.containsKey("JDBC_URL");
        int kafkaPort = Deployment.port(env, "JOBPULSE_DEV_KAFKA_PORT", Deployment.DEV_KAFKA_PORT);
        int postgresPort = Deployment.port(env, "JOBPULSE_DEV_POSTGRES_PORT", Deployment.DEV_POSTGRES_PORT);
        // One Jobpulse per data directory: a second one would stop the first's PostgreSQL as an orphan.
        HomeLock.acquire(home);
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
            // Streams state belongs to one cluster: a new broker must not meet an old state directory.
            properties.put(TopologyConfiguration.STATE_DIR, Deployment.devStateDir(home, stack.kafka().clusterId()).toString());
            // The one dev instance: after a kill it takes its partitions straight back, in every group.
            properties.put("jobpulse.topology.instance-id", "jobpulse-dev");
            properties.put("jobpulse.consumers.instance-id", "jobpulse-dev");
        }
        if (stack.hasPostgres()) {
            properties.put("datasources.default.url", stack.postgres().jdbcUrl());
            properties.put("datasources.default.username", "postgres");
            properties.put("datasources.default.password", stack.postgres().password());
        }
        // Reachable from this machine only, unless told otherwise.
        properties.put("micronaut.server.host", env.getOrDefault("JOBPULSE_HOST", "127.0.0.1"));
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
        boolean demo = Arrays.asList(args).contains("--demo");
        if (demo) {
            properties.putAll(demoProperties());
        }
        ApplicationContext context;
        try {
            context = Jobpulse.serve(Arrays.stream(args).filter(arg -> !arg.equals("--demo")).toArray(String[]::new), properties);
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
        printWelcome(context, stack, Duration.ofNanos(System.nanoTime() - started), jwtSecret, issuer, audience);
        if (demo) {
            String url = context.getBean(EmbeddedServer.class).getURL().toString().replace("://127.0.0.1", "://localhost");
            System.out.printf("""
                    Demo: a pretend image model (provider "demo") gets a new job every 3 s, as alice; its signed
                    callbacks (some dropped, doubled or stale) and polling move them. Watch:
                      curl -N '%s/v1/stream?tag=demo' -H "Authorization: Bearer $ALICE"
                      curl -s '%s/v1/jobs/summary' -H "Authorization: Bearer $ALICE"
                    %n""", url, url);
        }
    }

    /**
     * The demo: the pretend provider and the job stream ({@code io.jobpulse.app.demo}), and the
     * {@code demo} provider's configuration, with a secret of this run's own.
     */
    static Map<String, Object> demoProperties() {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        int port = FreePorts.pick();
        return Map.of(
                "jobpulse.demo.enabled", "true",
                "jobpulse.demo.provider-port", Integer.toString(port),
                "jobpulse.providers.demo.secrets", List.of("whsec_" + Base64.getEncoder().encodeToString(secret)),
                "jobpulse.providers.demo.adapter", "replicate",
                // The pretend provider serves on loopback: its status URLs are the demo's, and loopback is allowed for it.
                "jobpulse.providers.demo.status-url", "http://127.0.0.1:" + port + "/v1/predictions/{requestId}",
                "jobpulse.outbound.allowed-private-networks", List.of("127.0.0.1/32"));
    }

    private static void printWelcome(ApplicationContext context, DevStack stack, Duration startup, String jwtSecret,
                                     String issuer, String audience) {
        Duration lifetime = DevSignInController.TOKEN_LIFETIME;
        String alice = JwtSecret.mint(jwtSecret, issuer, audience, "alice", null, lifetime);
        String bob = JwtSecret.mint(jwtSecret, issuer, audience, "bob", null, lifetime);
        String url = context.getBean(EmbeddedServer.class).getURL().toString().replace("://127.0.0.1", "://localhost");
        String kafka = context.getProperty(KafkaSettings.BOOTSTRAP_SERVERS, String.class).orElse("?");
        String jdbc = context.getProperty("datasources.default.url", String.class).orElse("?");
        System.out.printf("""

                Jobpulse is ready in %.1f s.
                  Dashboard   %s/   (sign in as alice or bob with one click)
                  roles       %s
                  Kafka       %s%s
                  PostgreSQL  %s%s

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
                startup.toMillis() / 1000.0, url,
                context.getProperty(Roles.PROPERTY, String.class).orElse("?"),
                kafka, stack.hasKafka() ? " (embedded)" : " (external)",
                jdbc, stack.hasPostgres() ? " (embedded)" : " (external)",
                alice, bob, url, url, url, url, url);
    }
}
