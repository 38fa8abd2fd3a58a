package io.jobpulse.app;

import io.jobpulse.devstack.EmbeddedKafka;
import io.jobpulse.devstack.FreePorts;
import io.jobpulse.events.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static io.jobpulse.app.SliceEndToEndTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code jobpulse audit}, {@code keys} and {@code replay} as a person types them: beside a running
 * {@code ./jobpulse dev} (its own process, found by dev's variables alone, and started again after a crash), and with
 * nothing running. Each command runs through the command line's entry point with its output, errors and exit status
 * captured, or, where the whole output of the JVM matters (logging), in a JVM of its own.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OperatorCommandsTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    static Path home;
    private static int http;
    private static int kafka;
    private static int postgres;
    private static Process dev;
    private static final List<String> devOutput = Collections.synchronizedList(new ArrayList<>());
    private static String alice;
    private static String jobId;

    record Result(int status, String out, String err, Duration took) {

        String all() {
            return out + err;
        }
    }

    @BeforeAll
    static void startDev() throws Exception {
        http = FreePorts.pick();
        kafka = DevCommandTest.freePortWithFreeNext();
        postgres = FreePorts.pick();
        startDev(Map.of());
        jobId = submit();
    }

    @AfterAll
    static void stopDev() throws InterruptedException {
        stop();
    }

    /** The shell of a person beside dev: dev's own variables, nothing else. */
    private static Map<String, String> devEnvironment() {
        return Map.of("JOBPULSE_HOME", home.toString(), "JOBPULSE_DEV_KAFKA_PORT", Integer.toString(kafka),
                "JOBPULSE_DEV_POSTGRES_PORT", Integer.toString(postgres));
    }

    /** The shell of a person whose dev is not running (on ports nothing listens on). */
    private static Map<String, String> nothingRunning() throws IOException {
        return Map.of("JOBPULSE_HOME", home.resolve("elsewhere").toString(),
                "JOBPULSE_DEV_KAFKA_PORT", Integer.toString(FreePorts.pick()), "JOBPULSE_DEV_POSTGRES_PORT", Integer.toString(FreePorts.pick()));
    }

    @Test
    @Order(1)
    void auditKeysAndReplayFindTheRunningDevByItsVariablesAlone() throws Exception {
        Result audit = command(devEnvironment(), "audit", jobId);
        assertThat(audit.status()).as(audit.all()).isZero();
        assertThat(audit.out()).contains("job " + jobId + ": 1 events in jobpulse.job-events", "job.submitted", "v1 queued");

        Result created = process(devEnvironment(), "keys", "create", "--name", "ci-reader", "--scopes", "jobpulse:jobs:read");
        assertThat(created.status()).as(created.all()).isZero();
        assertThat(created.out()).contains("key id: ");
        Result listed = process(devEnvironment(), "keys", "list");
        assertThat(listed.status()).as(listed.all()).isZero();
        assertThat(listed.out()).contains("ci-reader");
        // The key table and nothing else: no migration news, no warnings.
        assertThat(created.all() + listed.all()).doesNotContain("Flyway", "migration", " INFO ", " WARN ");

        Result replay = command(devEnvironment(), "replay", "projections");
        assertThat(replay.status()).as(replay.all()).isZero();
        assertThat(replay.out()).contains("swapped: the rebuilt tables are live");
    }

    @Test
    @Order(2)
    void auditOfAJobTheLogDoesNotHaveSaysSoAndFails() {
        Result audit = command(devEnvironment(), "audit", "no-such-job");

        assertThat(audit.status()).isEqualTo(1);
        assertThat(audit.out()).isEmpty();
        assertThat(audit.err()).isEqualTo("jobpulse: no job no-such-job in jobpulse.job-events at 127.0.0.1:" + kafka + "\n");
    }

    @Test
    @Order(3)
    void auditAgainstABrokerThatIsNotJobpulsesSaysSoAndCreatesNothingThere() throws Exception {
        int port = DevCommandTest.freePortWithFreeNext();
        try (EmbeddedKafka bare = EmbeddedKafka.start(home.resolve("bare-kafka"), port, port + 1, Map.of())) {
            Result audit = command(Map.of("KAFKA_BOOTSTRAP_SERVERS", bare.bootstrapServers()), "audit", "some-job");

            assertThat(audit.status()).isEqualTo(1);
            assertThat(audit.err()).startsWith("jobpulse: no topic jobpulse.job-events at " + bare.bootstrapServers() + ", so no job some-job")
                    .hasLineCount(1);
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bare.bootstrapServers()))) {
                assertThat(admin.listTopics().names().get()).doesNotContain(Topics.JOB_EVENTS.name());
            }
        }
    }

    @Test
    @Order(4)
    void usageMistakesAreSaidBeforeAnythingIsAskedOfTheDeployment() throws Exception {
        // Nothing runs here: a command that looked for the deployment before checking its arguments would say so instead.
        Map<String, String> env = nothingRunning();
        Result revoke = process(env, "keys", "revoke");
        assertThat(revoke.status()).isEqualTo(1);
        assertThat(revoke.err()).startsWith("jobpulse: usage: jobpulse keys create");
        assertThat(revoke.all()).doesNotContain("Exception", "\tat ", " WARN ", " ERROR ");

        for (String[] args : List.of(new String[] {"keys"}, new String[] {"keys", "list", "--all"},
                new String[] {"keys", "create", "--name", "x"}, new String[] {"keys", "create", "--name", "x", "--scopes", "everything"},
                new String[] {"replay"}, new String[] {"replay", "topology", "--now"}, new String[] {"replay", "projections", "--fast"},
                new String[] {"audit"}, new String[] {"audit", "a-job", "--at", "yesterday"})) {
            Result result = command(env, args);
            assertThat(result.status()).as(String.join(" ", args)).isEqualTo(1);
            assertThat(result.err()).as(String.join(" ", args)).startsWith("jobpulse: ").doesNotContain("answers at", "Exception");
        }
        Result unknown = command(env, "audits");
        assertThat(unknown.status()).isEqualTo(2);
        assertThat(unknown.err()).startsWith("jobpulse: unknown command 'audits'").contains("Usage: jobpulse <command>");
    }

    @Test
    @Order(5)
    void withNothingRunningEachCommandSaysInOneLineWhatItLookedForAndWhatToSet() throws Exception {
        Map<String, String> env = nothingRunning();
        String kafkaAt = "127.0.0.1:" + env.get("JOBPULSE_DEV_KAFKA_PORT");
        String postgresAt = "127.0.0.1:" + env.get("JOBPULSE_DEV_POSTGRES_PORT") + "/jobpulse";
        String noKafka = "jobpulse: no Kafka broker answers at " + kafkaAt
                + " (set KAFKA_BOOTSTRAP_SERVERS, or JOBPULSE_DEV_KAFKA_PORT for ./jobpulse dev's broker); is ./jobpulse dev running?\n";
        String noPostgres = "jobpulse: no PostgreSQL answers at " + postgresAt + " (set JDBC_URL, JDBC_USERNAME, JDBC_PASSWORD,"
                + " or JOBPULSE_DEV_POSTGRES_PORT for ./jobpulse dev's database); is ./jobpulse dev running?\n";
        Map<List<String>, String> expected = Map.of(List.of("audit", "a-job"), noKafka, List.of("replay", "topology"), noKafka,
                List.of("replay", "projections"), noKafka, List.of("keys", "list"), noPostgres);
        expected.forEach((args, error) -> {
            Result result = command(env, args.toArray(String[]::new));
            assertThat(result.status()).as(args.toString()).isEqualTo(1);
            assertThat(result.err()).as(args.toString()).isEqualTo(error);
            assertThat(result.took()).as(args.toString()).isLessThan(Duration.ofSeconds(8));
        });

        // The whole output of the JVM is that line, for Kafka and for PostgreSQL.
        assertThat(process(env, "audit", "a-job").all()).isEqualTo(noKafka);
        assertThat(process(env, "keys", "list").all()).isEqualTo(noPostgres);

        Map<String, String> external = new HashMap<>(env);
        external.put("KAFKA_BOOTSTRAP_SERVERS", kafkaAt);
        assertThat(command(external, "audit", "a-job").err()).isEqualTo("jobpulse: no Kafka broker answers at " + kafkaAt
                + " (KAFKA_BOOTSTRAP_SERVERS)\n");
    }

    /**
     * Beside dev the replay refuses (dev runs the topology); beside dev without the topology it rebuilds; and after that
     * dev is killed with SIGKILL, as a crash ends it, the next start of dev with every role resumes the read model at once
     * and restores the rebuilt state without a complaint.
     */
    @Test
    @Order(6)
    void replayOfTheTopologyRefusesBesideDevRunsWithoutItsTopologyAndTheNextStartAfterAKillResumesAtOnce() throws Exception {
        // Reports folded one at a time, each in a transaction of its own: the live changelogs end further on
        // (a commit marker per transaction) than the rebuilt ones will, which fold them all in one.
        for (int version = 2; version <= 9; version++) {
            report(version);
        }
        Result refused = command(devEnvironment(), "replay", "topology");
        assertThat(refused.status()).isEqualTo(1);
        assertThat(refused.err()).hasLineCount(1).startsWith("jobpulse: the topology (group jobpulse-topology) is running")
                .contains("JOBPULSE_ROLES=ingest,projections,push ./jobpulse dev");

        stop();
        startDev(Map.of("JOBPULSE_ROLES", "ingest,projections,push"));
        Result replayed = command(devEnvironment(), "replay", "topology");
        assertThat(replayed.status()).as(replayed.all()).isZero();
        assertThat(replayed.out()).contains("1 jobs before, 1 rebuilt", "every rebuilt state equals the previous one");
        // What dev's topology will start from: no checkpoint of its state directory lies beyond its rebuilt changelog.
        Map<TopicPartition, Long> checkpoints = checkpoints(home.resolve("streams"));
        assertThat(checkpoints).isNotEmpty();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                "127.0.0.1:" + kafka), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            Map<TopicPartition, Long> ends = consumer.endOffsets(checkpoints.keySet());
            checkpoints.forEach((partition, offset) -> assertThat(offset).as(partition.toString()).isLessThanOrEqualTo(ends.get(partition)));
        }

        // This dev ends as after a crash: its PostgreSQL, still running on the data, is stopped by the next dev first.
        kill();
        startDev(Map.of());
        // With its fixed instance id the next dev's projectors take their partitions straight back: without static
        // members they would wait for the killed ones' sessions (45 s by Kafka's default).
        long ready = System.nanoTime();
        String afterRestart = submit();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> listed(afterRestart));
        Duration resumed = Duration.ofNanos(System.nanoTime() - ready);
        System.out.printf("dev restarted after kill -9: a job submitted once ready was listed %d ms later%n", resumed.toMillis());
        assertThat(resumed).isLessThan(Duration.ofSeconds(30));
        assertThat(listed(jobId)).as("the job submitted before the kill").isTrue();
        // A report folded means the job's task has restored its stores and runs (a stale checkpoint is met before).
        report(10);
        assertThat(List.copyOf(devOutput)).as("dev's log after the replay").noneMatch(line -> line.contains("OffsetOutOfRange")
                || line.contains(" ERROR ") || line.contains("Exception"));
    }

    private static String submit() throws Exception {
        HttpResponse<String> submitted = HTTP.send(request("/v1/jobs").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"x.operator\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(202);
        return json(submitted).get("id").asText();
    }

    /** Whether the read model lists the job (GET /v1/jobs is answered from PostgreSQL). */
    private static boolean listed(String job) throws Exception {
        HttpResponse<String> answer = HTTP.send(request("/v1/jobs?limit=100").build(), HttpResponse.BodyHandlers.ofString());
        return answer.statusCode() == 200 && answer.body().contains("\"" + job + "\"");
    }

    /** Reports progress on the job (0.05 per version), and waits until the topology has folded it into this version. */
    private static void report(int version) throws Exception {
        HttpResponse<String> reported = HTTP.send(request("/v1/jobs/" + jobId + "/reports").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"status\":\"running\",\"progress\":" + version / 20.0 + "}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(reported.statusCode()).as(reported.body()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(30)).until(() -> json(HTTP.send(request("/v1/jobs/" + jobId).build(),
                HttpResponse.BodyHandlers.ofString())).path("version").asInt() == version);
    }

    /** The changelog offsets in the checkpoint files under a Streams state directory ({@code <topic> <partition> <offset>} lines). */
    private static Map<TopicPartition, Long> checkpoints(Path stateDir) throws IOException {
        Map<TopicPartition, Long> offsets = new HashMap<>();
        try (var files = Files.walk(stateDir)) {
            for (Path file : files.filter(f -> f.getFileName().toString().equals(".checkpoint")).toList()) {
                for (String line : Files.readAllLines(file)) {
                    String[] fields = line.split(" ");
                    if (fields.length == 3 && Long.parseLong(fields[2]) >= 0) {
                        offsets.put(new TopicPartition(fields[0], Integer.parseInt(fields[1])), Long.parseLong(fields[2]));
                    }
                }
            }
        }
        return offsets;
    }

    /** A request to dev, as alice. */
    private static HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http + path)).header("Authorization", "Bearer " + alice);
    }

    /** Runs a command through the command line's entry point, with this environment. */
    private static Result command(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        long started = System.nanoTime();
        int status;
        try {
            status = Jobpulse.run(args, env, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw new AssertionError("the command threw instead of saying what is wrong", e);
        }
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8),
                Duration.ofNanos(System.nanoTime() - started));
    }

    /**
     * Runs a command in a JVM of its own, with this environment and nothing of this JVM's, and the application's
     * classpath (its logging configuration, not the tests').
     */
    private static Result process(Map<String, String> env, String... args) throws Exception {
        String classpath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !entry.endsWith("test-classes")).collect(Collectors.joining(File.pathSeparator));
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classpath, Jobpulse.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().keySet().removeIf(name -> name.startsWith("JOBPULSE_") || name.equals("KAFKA_BOOTSTRAP_SERVERS")
                || name.startsWith("JDBC_"));
        builder.environment().putAll(env);
        long started = System.nanoTime();
        Process process = builder.start();
        try (ExecutorService readers = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<String> out = readers.submit(() -> readAll(process.getInputStream()));
            Future<String> err = readers.submit(() -> readAll(process.getErrorStream()));
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                throw new AssertionError("the command " + List.of(args) + " did not end within 60 s; it wrote:\n"
                        + out.get(10, TimeUnit.SECONDS) + err.get(10, TimeUnit.SECONDS));
            }
            return new Result(process.exitValue(), out.get(10, TimeUnit.SECONDS), err.get(10, TimeUnit.SECONDS),
                    Duration.ofNanos(System.nanoTime() - started));
        }
    }

    private static String readAll(java.io.InputStream stream) {
        try {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Starts dev (with these variables besides its ports and home) and waits until it is ready; its log is kept. */
    private static void startDev(Map<String, String> variables) throws Exception {
        devOutput.clear();
        ProcessBuilder builder = DevCommandTest.devProcess(home, http, kafka, postgres);
        builder.environment().putAll(variables);
        dev = builder.start();
        CompletableFuture<Void> ready = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(dev.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    devOutput.add(line);
                    if (line.strip().startsWith("export ALICE=")) {
                        alice = line.strip().substring("export ALICE=".length());
                    }
                    if (line.contains("Ctrl-C stops everything")) {
                        ready.complete(null);
                    }
                }
            } catch (IOException e) {
                // the process ended
            }
            ready.complete(null);
        });
        ready.get(120, TimeUnit.SECONDS);
        assertThat(dev.isAlive()).as(String.join("\n", devOutput)).isTrue();
    }

    /** SIGKILL: no shutdown hook runs, so what dev started is left as a crash leaves it. */
    private static void kill() throws InterruptedException {
        dev.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }

    private static void stop() throws InterruptedException {
        if (dev != null) {
            dev.destroy();
            if (!dev.waitFor(60, TimeUnit.SECONDS)) {
                dev.destroyForcibly().waitFor();
            }
        }
    }
}
