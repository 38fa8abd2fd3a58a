package io.jobpulse.app;

import io.jobpulse.consumers.ConsumerGroupLag;
import io.jobpulse.events.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import static io.jobpulse.app.SliceEndToEndTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * How consumer groups hand over when an instance dies or stops. A separate JVM runs the ingest
 * and projections roles ({@code jobpulse serve}) with a fixed {@code jobpulse.consumers.instance-id},
 * while this JVM runs ingest and topology and workers' reports flow into it. The projections
 * instance is killed with SIGKILL and started again with the same id: it takes its partitions
 * straight back, without waiting for the group to time out the killed members. Meanwhile the
 * projections' lag, read from the group's committed offsets, shows the changes that pile up while
 * no projector runs. Stopped cleanly, the instance leaves every one of its groups at once.
 *
 * <p>{@code -Dhandover.instance-id=} (empty) and {@code -Dhandover.session-timeout=45s} run the same
 * scenario as Kafka's defaults would (dynamic members, 45 s sessions), for comparison.
 */
class ConsumerHandOverTest {

    private static final int JOBS = 10;
    private static final Duration REPORT_PAUSE = Duration.ofMillis(20);
    /** Where the instances' output goes, to be read after a failure. */
    private static final Path LOGS = Path.of("target");

    @Test
    void killedInstanceRestartedWithItsIdResumesAtOnceAndTheLagShowsWhatWaitedMeanwhile() throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> groups = Map.of(
                "jobpulse.projections.group-id", "handover-projections-" + suffix,
                "jobpulse.projections.events-group-id", "handover-events-" + suffix,
                "jobpulse.poller.group-id", "handover-poller-" + suffix,
                "jobpulse.provider-cancels.group-id", "handover-cancels-" + suffix);
        String projections = groups.get("jobpulse.projections.group-id");
        Map<String, String> child = new HashMap<>(groups);
        child.put("jobpulse.roles", "ingest,projections");
        child.put("jobpulse.consumers.instance-id", System.getProperty("handover.instance-id", "handover-" + suffix));
        child.put("jobpulse.consumers.session-timeout", System.getProperty("handover.session-timeout", "10s"));
        child.put("jobpulse.consumers.lag-interval", "1s");

        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestStack.get().bootstrapServers));
             JobpulseInstance front = JobpulseInstance.start(Map.of("jobpulse.roles", "ingest,topology"))) {
            List<String> jobs = new ArrayList<>();
            for (int i = 0; i < JOBS; i++) {
                jobs.add(json(front.post("/v1/jobs", "{\"type\":\"handover.check\"}")).get("id").asText());
            }
            String ours = jobs.stream().map(id -> "'" + id + "'").collect(Collectors.joining(","));
            Reports reports = new Reports(front, jobs);

            Process first = start(child, freePort(), LOGS.resolve("handover-first.log"));
            try {
                await().atMost(Duration.ofSeconds(60)).until(() -> projected(ours) >= JOBS);
                reports.start();
                await().atMost(Duration.ofSeconds(30)).until(() -> projected(ours) >= JOBS + 50);
            } finally {
                first.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }

            // (b) With no projector running, changes pile up, and the group's lag says how many.
            int acceptedAtKill = reports.accepted();
            await().atMost(Duration.ofSeconds(20)).until(() -> reports.accepted() >= acceptedAtKill + 100);
            reports.stop();
            await().atMost(Duration.ofSeconds(20)).until(() -> reports.allFolded());
            long waiting = unprojected(admin, projections);
            long lag = ConsumerGroupLag.read(admin, projections, Topics.JOB_STATUS_NAME);
            int partitions = admin.describeTopics(List.of(Topics.JOB_STATUS_NAME)).allTopicNames().get()
                    .get(Topics.JOB_STATUS_NAME).partitions().size();
            System.out.printf("with no projector running: %d changes not projected; lag read from the group: %d%n", waiting, lag);
            assertThat(waiting).isGreaterThanOrEqualTo(100);
            // Offsets count the topology's transaction markers too: at most one per change, and one per partition.
            assertThat(lag).isBetween(waiting, 2 * waiting + partitions);

            // (a) Restarted with the same instance id, it takes its partitions straight back.
            long restartedAt = System.nanoTime();
            int port = freePort();
            Process second = start(child, port, LOGS.resolve("handover-second.log"));
            try {
                long before = projected(ours);
                await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(50)).until(() -> projected(ours) > before);
                long firstChange = System.nanoTime();
                System.out.printf("restarted after kill -9: first change projected %d ms after the process started%n",
                        TimeUnit.NANOSECONDS.toMillis(firstChange - restartedAt));
                // Kafka's defaults would hold the partitions for the killed members' 45 s sessions.
                assertThat(Duration.ofNanos(firstChange - restartedAt)).isLessThan(Duration.ofSeconds(40));

                long all = JOBS + reports.accepted();
                await().atMost(Duration.ofSeconds(30)).until(() -> projected(ours) == all);
                await().atMost(Duration.ofSeconds(15)).until(() -> ConsumerGroupLag.read(admin, projections, Topics.JOB_STATUS_NAME) == 0);
            } catch (AssertionError | RuntimeException e) {
                second.destroyForcibly();
                throw e;
            }

            // (c) A clean stop leaves every group at once: no member is left for the group to time out.
            // A process stopped before its startup completes has no shutdown hook yet, and a member stopped
            // while its group rebalances has no member id to leave with yet: stop a settled instance.
            await().atMost(Duration.ofSeconds(60)).until(() -> listens(port));
            await().atMost(Duration.ofSeconds(30)).until(() -> admin.describeConsumerGroups(groups.values()).all().get().values().stream()
                    .allMatch(group -> group.groupState() == GroupState.STABLE));
            second.destroy();
            assertThat(second.waitFor(30, TimeUnit.SECONDS)).isTrue();
            Map<String, ConsumerGroupDescription> described = admin.describeConsumerGroups(groups.values()).all().get();
            assertThat(described.values()).allSatisfy(description ->
                    assertThat(description.members()).as("members of %s right after a clean stop", description.groupId()).isEmpty());
        }
    }

    /** Starts {@code jobpulse serve} in a JVM of its own, against the test stack, with {@code properties} on top. */
    private static Process start(Map<String, String> properties, int port, Path log) throws IOException {
        Map<String, Object> all = new HashMap<>(JobpulseInstance.stackProperties());
        all.put("micronaut.server.port", Integer.toString(port));
        all.put("jobpulse.topology.state-dir", Files.createTempDirectory("jobpulse-streams").toString());
        all.putAll(properties);
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path")));
        all.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.add(Jobpulse.class.getName());
        command.add("serve");
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** Whether something accepts connections on the port, on loopback. */
    static boolean listens(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Changes of these jobs in the read model. */
    private static long projected(String jobIds) {
        try (Connection db = TestStack.get().connect();
             ResultSet result = db.createStatement().executeQuery("SELECT count(*) FROM job_changes WHERE job_id IN (" + jobIds + ")")) {
            result.next();
            return result.getLong(1);
        } catch (Exception e) {
            return -1;
        }
    }

    /** Committed changes of the status topic past the group's committed offsets, counted one by one. */
    private static long unprojected(Admin admin, String group) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
        try (var consumer = new KafkaConsumer<>(Map.<String, Object>of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestStack.get().bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.JOB_STATUS_NAME).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            committed.forEach((partition, offset) -> {
                if (offset != null && partitions.contains(partition)) {
                    consumer.seek(partition, offset.offset());
                }
            });
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            long count = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
                assertThat(System.nanoTime()).as("reading the status topic to its end").isLessThan(deadline);
                count += consumer.poll(Duration.ofMillis(200)).count();
            }
            return count;
        }
    }

    /** Workers' progress reports on the jobs, one after another, until stopped. */
    private static final class Reports {
        private final JobpulseInstance instance;
        private final List<String> jobs;
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicInteger accepted = new AtomicInteger();
        private final Map<String, AtomicInteger> perJob = new ConcurrentHashMap<>();
        private Thread thread;

        Reports(JobpulseInstance instance, List<String> jobs) {
            this.instance = instance;
            this.jobs = jobs;
            jobs.forEach(job -> perJob.put(job, new AtomicInteger()));
        }

        void start() {
            thread = Thread.ofPlatform().name("reports").start(() -> {
                for (int n = 0; running.get(); n++) {
                    String job = jobs.get(n % jobs.size());
                    int step = perJob.get(job).get() + 1;
                    var answer = instance.post("/v1/jobs/" + job + "/reports",
                            "{\"status\":\"running\",\"progress\":" + (step / 100_000.0) + "}");
                    if (answer.statusCode() == 202) {
                        perJob.get(job).incrementAndGet();
                        accepted.incrementAndGet();
                    }
                    try {
                        Thread.sleep(REPORT_PAUSE);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
        }

        int accepted() {
            return accepted.get();
        }

        void stop() throws InterruptedException {
            running.set(false);
            thread.join(10_000);
        }

        /** Whether every accepted report has been folded into its job (each one is a change). */
        boolean allFolded() {
            return jobs.stream().allMatch(job ->
                    json(instance.get("/v1/jobs/" + job)).get("version").asLong() == 1 + perJob.get(job).get());
        }
    }
}
