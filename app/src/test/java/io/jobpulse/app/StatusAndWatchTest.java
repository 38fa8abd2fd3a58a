package io.jobpulse.app;

import io.jobpulse.devstack.FreePorts;
import io.jobpulse.events.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static io.jobpulse.app.SliceEndToEndTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code jobpulse status}, {@code jobpulse watch} and the consumer groups' lag metric against a running instance
 * on the test stack's broker and database. The instance runs every role but notifications, and its
 * notifications Streams application id is one of this test's own, which nothing consumes: the group the lag is checked on.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StatusAndWatchTest {

    private static final String SUFFIX = UUID.randomUUID().toString().substring(0, 8);
    private static final String IDLE_GROUP = "lag-test-" + SUFFIX;
    private static final String INSTANCE_ID = "status-test-" + SUFFIX;
    private static final String WATCHER = "watcher-" + SUFFIX;
    private static int port;
    private static JobpulseInstance instance;

    @BeforeAll
    static void start() {
        port = FreePorts.pick();
        instance = JobpulseInstance.start(Map.of("micronaut.server.port", port, "jobpulse.topology.advertised-host", "127.0.0.1",
                "jobpulse.roles", "ingest,topology,projections,push", "jobpulse.consumers.instance-id", INSTANCE_ID,
                "jobpulse.consumers.lag-interval", "500ms", "jobpulse.notifications.application-id", IDLE_GROUP));
    }

    @AfterAll
    static void stop() {
        instance.close();
    }

    @Test
    @Order(1)
    void watchPrintsALinePerChangeOfTheCallersJobsWithTheirProgress() throws Exception {
        String token = JobpulseInstance.token(WATCHER);
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        Process watch = process(Map.of("JOBPULSE_URL", "http://127.0.0.1:" + port, "JOBPULSE_TOKEN", token), "watch");
        CompletableFuture<String> errors = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(watch.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (java.io.IOException e) {
                return e.toString();
            }
        });
        try {
            Thread.ofVirtual().start(() -> new BufferedReader(new InputStreamReader(watch.getInputStream(), StandardCharsets.UTF_8))
                    .lines().forEach(lines::add));
            String job = json(as(token, "/v1/jobs", "{\"type\":\"x.watch\"}")).get("id").asText();
            await().atMost(Duration.ofSeconds(30)).until(() -> lines.stream().anyMatch(line -> line.startsWith(job) && line.contains("queued")));
            as(token, "/v1/jobs/" + job + "/reports", "{\"status\":\"running\",\"progress\":0.5,\"message\":\"half way\"}");
            as(token, "/v1/jobs/" + job + "/reports", "{\"status\":\"succeeded\",\"result\":{\"ok\":true}}");
            await().atMost(Duration.ofSeconds(30)).until(() -> lines.stream().anyMatch(line -> line.contains("succeeded")));

            List<String> ours = lines.stream().filter(line -> line.startsWith(job)).toList();
            assertThat(ours).as(String.join("\n", lines)).hasSize(3);
            assertThat(ours.get(0)).contains("queued", "x.watch", "[--------------------]   0%", "v1");
            assertThat(ours.get(1)).contains("running", "[##########----------]  50%", "v2", "half way");
            assertThat(ours.get(2)).contains("succeeded", "[####################] 100%", "v3");
            assertThat(String.join("\n", lines)).doesNotContain("\u001b[");
        } finally {
            watch.destroy();
            assertThat(watch.waitFor(10, TimeUnit.SECONDS)).as("watch ends on SIGTERM, as on Ctrl-C").isTrue();
        }
        assertThat(errors.get(10, TimeUnit.SECONDS)).doesNotContain("Exception");
    }

    @Test
    @Order(2)
    void watchWithATokenTheApiRefusesSaysSoInOneLine() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Jobpulse.run(new String[] {"watch", "--token", "not-a-token", "--url", "http://127.0.0.1:" + port},
                Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));

        assertThat(status).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("jobpulse: the token was refused at http://127.0.0.1:" + port + "/")
                .hasLineCount(1);
    }

    @Test
    @Order(3)
    void aGroupWithNoMembersShowsItsCommittedOffsetsBehindTheEndAsLag() throws Exception {
        long expected;
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestStack.get().bootstrapServers))) {
            Map<TopicPartition, OffsetSpec> latest = admin.describeTopics(List.of(Topics.JOB_STATUS_NAME)).allTopicNames().get()
                    .get(Topics.JOB_STATUS_NAME).partitions().stream()
                    .collect(Collectors.toMap(p -> new TopicPartition(Topics.JOB_STATUS_NAME, p.partition()), p -> OffsetSpec.latest()));
            Map<TopicPartition, Long> ends = new HashMap<>();
            admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get()
                    .forEach((partition, info) -> ends.put(partition, info.offset()));
            Map<TopicPartition, OffsetAndMetadata> behind = new HashMap<>();
            ends.forEach((partition, end) -> behind.put(partition, new OffsetAndMetadata(Math.max(0, end - 3 - partition.partition()))));
            admin.alterConsumerGroupOffsets(IDLE_GROUP, behind).all().get();
            expected = ends.entrySet().stream().mapToLong(e -> e.getValue() - behind.get(e.getKey()).offset()).sum();
            assertThat(expected).as("the job of the first test is on the topic").isPositive();
        }

        Pattern sample = Pattern.compile("jobpulse_consumer_group_lag\\{group=\"" + IDLE_GROUP + "\",topic=\"jobpulse.job-status\"} "
                + expected + "(\\.0)?\\b");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(instance.send(HttpRequest.newBuilder(instance.uri("/prometheus"))
                        .header("Authorization", "Bearer " + JobpulseInstance.adminToken())).body()).containsPattern(sample));

        String status = status(Map.of("JOBPULSE_NOTIFICATIONS_APPLICATION_ID", IDLE_GROUP));
        assertThat(status).containsPattern(Pattern.compile("^" + IDLE_GROUP + "\\s+notifications\\s+empty\\s+0\\s+jobpulse\\.job-status\\s+"
                + String.format("%,d", expected) + "$", Pattern.MULTILINE));
    }

    @Test
    @Order(4)
    void statusNamesTheInstanceItsGroupsAndItsStores() throws Exception {
        String address = "127.0.0.1:" + port;
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            String status = status(Map.of());
            assertThat(status).containsPattern(Pattern.compile("^" + INSTANCE_ID + "\\s+" + Pattern.quote(address)
                    + "\\s+ingest,projections,push,topology\\s+yes$", Pattern.MULTILINE));
            assertThat(status).containsPattern(Pattern.compile("^jobpulse-topology\\s+topology\\s+stable\\s+\\d+ \\(.*" + INSTANCE_ID, Pattern.MULTILINE));
            assertThat(status).containsPattern(Pattern.compile("^jobpulse-projections\\s+projections\\s+stable\\s+\\d+ \\(.*" + INSTANCE_ID, Pattern.MULTILINE));
            assertThat(status).containsPattern(Pattern.compile("^jobpulse-topology\\s+" + INSTANCE_ID + "\\s+running\\s+\\d+\\s+\\d+\\s+\\S+\\s+ready$",
                    Pattern.MULTILINE)).containsPattern(Pattern.compile("^\\s+job-state\\s+ready$", Pattern.MULTILINE));
        });
    }

    private static String status(Map<String, String> extra) throws Exception {
        Map<String, String> env = new HashMap<>(extra);
        env.put("KAFKA_BOOTSTRAP_SERVERS", TestStack.get().bootstrapServers);
        env.put("JOBPULSE_TOKEN", JobpulseInstance.adminToken());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Jobpulse.run(new String[] {"status"}, env, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
        return out.toString(StandardCharsets.UTF_8);
    }

    private static java.net.http.HttpResponse<String> as(String token, String path, String body) {
        return instance.send(HttpRequest.newBuilder(instance.uri(path)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    /** A command in a JVM of its own, with the application's classpath and only this environment of Jobpulse's. */
    private static Process process(Map<String, String> env, String... args) throws Exception {
        String classpath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !entry.endsWith("test-classes")).collect(Collectors.joining(File.pathSeparator));
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-cp", classpath, Jobpulse.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().keySet().removeIf(name -> name.startsWith("JOBPULSE_") || name.equals("KAFKA_BOOTSTRAP_SERVERS"));
        builder.environment().putAll(env);
        return builder.start();
    }
}
