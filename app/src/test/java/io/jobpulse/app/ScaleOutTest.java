package io.jobpulse.app;

import com.fasterxml.jackson.databind.JsonNode;
import io.jobpulse.consumers.ConsumerGroupLag;
import io.jobpulse.devstack.Balancer;
import io.jobpulse.devstack.DevStack;
import io.jobpulse.events.JobEvent;
import io.jobpulse.events.JobJson;
import io.jobpulse.events.JobState;
import io.jobpulse.events.Topics;
import io.jobpulse.processors.JobAudit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static io.jobpulse.app.SliceEndToEndTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Three full Jobpulse instances ({@code serve}, each a JVM of its own) on one broker and database,
 * behind one address, as the scaled shape runs: the jobs' partitions are spread over the
 * instances, and a read of any job on any instance is answered, by the instance itself or by the
 * one holding the job. Then, under a steady load of workers' reports, one instance is killed with
 * SIGKILL and started again, and another is stopped cleanly: nothing accepted is lost or applied
 * twice, reads keep being answered by the survivors, a subscriber of the killed instance resumes
 * on another with no gap (a multi-job stream may get a version a second time, right after the one
 * it had: the killed instance's open transaction was aborted after push had streamed it, and the
 * survivor redid it; see docs/streaming.md, "Before the commit"), and the read model catches up
 * once the instance is back.
 *
 * <p>It has a broker and database of its own (six partitions), so that the groups, the lag and the
 * log it checks are its own.
 */
class ScaleOutTest {

    private static final int INSTANCES = 3;
    private static final int PARTITIONS = 6;
    private static final int JOBS = 300;
    private static final int LOADED_JOBS = 60;
    private static final Duration REPORT_PAUSE = Duration.ofMillis(10);
    private static final Path LOGS = Path.of("target");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    void threeInstancesAnswerForEveryJobAndAKilledOneCostsNothing(@TempDir Path dir) throws Exception {
        try (DevStack stack = DevStack.start(DevStack.Options.forTests(dir.resolve("stack")));
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafka().bootstrapServers()));
             Cluster cluster = new Cluster(stack, dir)) {
            cluster.startAll();
            try (Balancer balancer = Balancer.start(ServeProcess.freePort(), cluster.addresses())) {
                URI one = URI.create("http://127.0.0.1:" + balancer.port());
                everyJobIsReadableFromEveryInstance(cluster, one);
                jobsSubmittedOnOneInstanceAreReadableAtOnceOnAnother(cluster);
                killedAndStoppedInstancesCostNothing(cluster, one, admin, stack);
            }
        }
    }

    private static void everyJobIsReadableFromEveryInstance(Cluster cluster, URI one) {
        List<String> jobs = new ArrayList<>();
        for (int i = 0; i < JOBS; i++) {
            jobs.add(submit(one, "scale.spread", null));
        }
        Set<Integer> partitions = new HashSet<>();
        jobs.forEach(job -> partitions.add(partitionOf(job)));
        assertThat(partitions).hasSize(PARTITIONS);
        for (int instance = 0; instance < INSTANCES; instance++) {
            URI at = cluster.uri(instance);
            int readable = 0;
            for (String job : jobs) {
                HttpResponse<String> answer = get(at, "/v1/jobs/" + job);
                assertThat(answer.statusCode()).as("job %s read on instance %d: %s", job, instance, answer.body()).isEqualTo(200);
                assertThat(json(answer).get("id").asText()).isEqualTo(job);
                readable++;
            }
            assertThat(readable).isEqualTo(JOBS);
        }
        // A job that does not exist is 404 wherever it is asked, after its holder has been asked.
        assertThat(get(cluster.uri(0), "/v1/jobs/" + UUID.randomUUID()).statusCode()).isEqualTo(404);
    }

    private static void jobsSubmittedOnOneInstanceAreReadableAtOnceOnAnother(Cluster cluster) {
        for (int i = 0; i < 30; i++) {
            String job = submit(cluster.uri(i % INSTANCES), "scale.read-your-writes", null);
            HttpResponse<String> read = get(cluster.uri((i + 1) % INSTANCES), "/v1/jobs/" + job);
            assertThat(read.statusCode()).as("read of %s at once on another instance: %s", job, read.body()).isEqualTo(200);
        }
    }

    private static void killedAndStoppedInstancesCostNothing(Cluster cluster, URI one, Admin admin, DevStack stack) throws Exception {
        String tag = "scale-" + UUID.randomUUID().toString().substring(0, 8);
        List<String> jobs = new ArrayList<>();
        for (int i = 0; i < LOADED_JOBS; i++) {
            jobs.add(submit(one, "scale.load", tag));
        }
        int victim = 0;
        int stopped = 1;
        Map<Integer, Set<Integer>> hosted = partitionsByInstance(admin);
        List<String> affected = jobs.stream().filter(job -> hosted.getOrDefault(victim, Set.of()).contains(partitionOf(job))).toList();
        assertThat(affected).as("jobs whose partition the victim holds; partitions by instance: %s", hosted).isNotEmpty();

        Subscriber direct = Subscriber.start(new SseSubscriber(cluster.uri(victim), one, tag));
        Subscriber balanced = Subscriber.start(new SseSubscriber(one, one, tag));
        Subscriber socket = Subscriber.start(new SocketSubscriber(cluster.uri(victim), one, tag));
        List<Subscriber> subscribers = List.of(direct, balanced, socket);
        await().atMost(Duration.ofSeconds(20)).until(() -> subscribers.stream().allMatch(Subscriber::connected));
        Instant loadFrom = Instant.now();
        Reports reports = Reports.start(one, jobs);
        Reads reads = Reads.start(cluster, jobs, Set.of(victim));
        Thread.sleep(3_000);

        Instant killedAt = Instant.now();
        cluster.process(victim).kill();
        reads.avoid(Set.of(victim));
        Instant firstAffectedRead = reads.firstSuccessAfter(affected, killedAt, Duration.ofSeconds(30));
        Duration regrouped = awaitGroups(admin, Set.of(cluster.instanceId(victim)), Duration.ofSeconds(60));
        Thread.sleep(2_000);

        Instant restartedAt = Instant.now();
        cluster.restart(victim);
        awaitGroups(admin, Set.of(), Duration.ofSeconds(90));
        Duration rejoined = Duration.between(restartedAt, Instant.now());
        // Caught up once back: a bound for liveness on two loaded cores; how long it took is printed, and measured apart.
        awaitProjectionsLagZero(admin, Duration.ofSeconds(60));
        Duration lagZero = Duration.between(restartedAt, Instant.now());
        reads.avoid(Set.of());

        reads.avoid(Set.of(stopped));
        Instant stoppedAt = Instant.now();
        assertThat(cluster.process(stopped).stop()).as("a clean stop ends within a minute").isTrue();
        Thread.sleep(3_000);

        reports.stop();
        Duration loaded = Duration.between(loadFrom, Instant.now());
        reads.stop();
        await().atMost(Duration.ofSeconds(30)).until(() -> reports.allFolded(one));
        Map<String, Long> finals = new HashMap<>();
        jobs.forEach(job -> finals.put(job, json(get(one, "/v1/jobs/" + job)).get("version").asLong()));
        await().atMost(Duration.ofSeconds(30)).until(() -> subscribers.stream().allMatch(subscriber -> subscriber.seenAll(finals)));
        for (Subscriber subscriber : subscribers) {
            subscriber.stop();
        }

        System.out.printf("""
                        scale-out under %d reports/s (one at a time) over %d jobs; session timeout 10s, standby replicas 1:
                          SIGKILL -> first successful read of every affected job (%d) from a survivor: %d ms
                          SIGKILL -> every consumer group assigned to live members again: %d ms
                          restart (a new JVM) -> back in every group: %d ms; projections' lag zero: %d ms
                          reads on survivors: %d answered, %d x 503, longest gap between answers for one job %d ms; 404: %d
                          subscribers' longest silence: %d ms (SSE, first to the killed instance), %d ms (SSE through the one address), %d ms (WebSocket, first to the killed instance); reconnects %d, %d, %d
                          reports accepted %d, outcome unknown %d
                          after SIGKILL: %s; subscribers' longest silence ended at %d ms; restarted at %d ms, clean stop at %d ms
                        """, (reports.accepted() + reports.unknown()) * 1000 / Math.max(1, loaded.toMillis()), LOADED_JOBS, affected.size(),
                Duration.between(killedAt, firstAffectedRead).toMillis(), regrouped.toMillis(), rejoined.toMillis(),
                lagZero.toMillis(),
                reads.answered(), reads.unavailable(), reads.longestGap().toMillis(), reads.notFound(),
                direct.longestSilence().toMillis(), balanced.longestSilence().toMillis(), socket.longestSilence().toMillis(),
                direct.reconnects(), balanced.reconnects(), socket.reconnects(),
                reports.accepted(), reports.unknown(),
                reads.timeline(killedAt), direct.longestSilenceEnded(killedAt), Duration.between(killedAt, restartedAt).toMillis(), Duration.between(killedAt, stoppedAt).toMillis());

        assertThat(reads.notFound()).as("a job that exists is never answered 404").isZero();
        assertThat(reads.answered()).isGreaterThan(100);
        assertThat(direct.reconnects()).as("the killed instance's subscriber moved").isGreaterThanOrEqualTo(1);
        assertThat(socket.reconnects()).as("the killed instance's socket moved").isGreaterThanOrEqualTo(1);
        for (Subscriber subscriber : subscribers) {
            subscriber.assertNoGap();
        }
        everyReportAppliedOnceAndAllThreeAgree(jobs, reports, cluster, stack);
    }

    /** Versions contiguous; every accepted report once; the read model, the state store and a fold of the log equal. */
    private static void everyReportAppliedOnceAndAllThreeAgree(List<String> jobs, Reports reports, Cluster cluster, DevStack stack) throws Exception {
        Map<String, List<JobEvent>> log = readLog(stack.kafka().bootstrapServers(), new HashSet<>(jobs));
        try (Connection db = DriverManager.getConnection(stack.postgres().jdbcUrl(), "postgres", stack.postgres().password())) {
            for (String job : jobs) {
                JsonNode stored = json(get(cluster.uri(2), "/v1/jobs/" + job));
                long version = stored.get("version").asLong();
                int accepted = reports.acceptedOf(job);
                int unknown = reports.unknownOf(job);
                assertThat(version).as("job %s: 1 + accepted reports (+ at most those whose answer was lost)", job)
                        .isBetween(1L + accepted, 1L + accepted + unknown);
                JobState folded = JobAudit.fold(log.get(job), null).state();
                assertThat(folded.version()).as("the log's fold of %s", job).isEqualTo(version);
                assertThat(folded.progress()).isEqualTo(stored.get("progress").asDouble());
                try (ResultSet row = db.createStatement().executeQuery("SELECT version, progress, "
                        + "(SELECT count(*) FROM job_changes c WHERE c.job_id = j.id), "
                        + "(SELECT max(version) FROM job_changes c WHERE c.job_id = j.id) FROM jobs j WHERE id = '" + job + "'")) {
                    assertThat(row.next()).isTrue();
                    assertThat(row.getLong(1)).as("read model version of %s", job).isEqualTo(version);
                    assertThat(row.getDouble(2)).isEqualTo(folded.progress());
                    assertThat(row.getLong(3)).as("changes of %s, versions 1..%d with none missing", job, version).isEqualTo(version);
                    assertThat(row.getLong(4)).isEqualTo(version);
                }
            }
        }
    }

    private static Map<String, List<JobEvent>> readLog(String bootstrapServers, Set<String> jobs) {
        Map<String, List<JobEvent>> log = new HashMap<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.JOB_EVENTS_NAME).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (jobs.contains(record.key())) {
                        log.computeIfAbsent(record.key(), k -> new ArrayList<>()).add(Topics.JOB_EVENTS.decode(record.value()));
                    }
                }
            }
        }
        return log;
    }

    /** Which partitions of the events topic each instance's topology holds, from the Streams group's assignment. */
    private static Map<Integer, Set<Integer>> partitionsByInstance(Admin admin) throws Exception {
        await().atMost(Duration.ofSeconds(30)).until(() -> describe(admin, List.of("jobpulse-topology")).get("jobpulse-topology").groupState() == GroupState.STABLE);
        Map<Integer, Set<Integer>> hosted = new HashMap<>();
        for (MemberDescription member : describe(admin, List.of("jobpulse-topology")).get("jobpulse-topology").members()) {
            int instance = Integer.parseInt(member.groupInstanceId().orElseThrow().replaceAll("^scale-(\\d+)\\..*$", "$1"));
            member.assignment().topicPartitions().stream().filter(p -> p.topic().equals(Topics.JOB_EVENTS_NAME))
                    .forEach(p -> hosted.computeIfAbsent(instance, k -> new HashSet<>()).add(p.partition()));
        }
        return hosted;
    }

    /**
     * Waits until every consumer group is stable, with no member of the instances named and
     * (when none is named) a member of every instance; how long that took.
     */
    private static Duration awaitGroups(Admin admin, Set<String> absent, Duration atMost) throws Exception {
        long start = System.nanoTime();
        await().atMost(atMost).pollInterval(Duration.ofMillis(200)).until(() -> {
            Collection<String> groups = admin.listGroups().all().get().stream().map(GroupListing::groupId).toList();
            return describe(admin, groups).values().stream().allMatch(group -> group.groupState() == GroupState.STABLE
                    && !group.members().isEmpty()
                    && group.members().stream().noneMatch(m -> absent.stream().anyMatch(id -> m.groupInstanceId().orElse("").startsWith(id)))
                    && (!absent.isEmpty() || group.members().stream().map(m -> m.groupInstanceId().orElse("").replaceAll("\\..*$", ""))
                    .distinct().count() == INSTANCES));
        });
        return Duration.ofNanos(System.nanoTime() - start);
    }

    private static void awaitProjectionsLagZero(Admin admin, Duration atMost) {
        await().atMost(atMost).pollInterval(Duration.ofMillis(200))
                .until(() -> ConsumerGroupLag.read(admin, "jobpulse-projections", Topics.JOB_STATUS_NAME) == 0);
    }

    private static Map<String, ConsumerGroupDescription> describe(Admin admin, Collection<String> groups) throws Exception {
        return admin.describeConsumerGroups(groups).all().get();
    }

    static int partitionOf(String job) {
        return BuiltInPartitioner.partitionForKey(new StringSerializer().serialize(Topics.JOB_EVENTS_NAME, job), PARTITIONS);
    }

    private static String submit(URI at, String type, String tag) {
        String body = tag == null ? "{\"type\":\"" + type + "\"}" : "{\"type\":\"" + type + "\",\"tags\":[\"" + tag + "\"]}";
        HttpResponse<String> answer = send(HttpRequest.newBuilder(at.resolve("/v1/jobs")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(202);
        return json(answer).get("id").asText();
    }

    private static HttpResponse<String> get(URI at, String path) {
        return send(HttpRequest.newBuilder(at.resolve(path)).GET());
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return HTTP.send(request.timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + JobpulseInstance.token(JobpulseInstance.USER)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The three {@code serve} processes, each with its instance id, port and state directory for its whole life. */
    private static final class Cluster implements AutoCloseable {

        private final Map<String, Object> properties = new HashMap<>();
        private final List<ServeProcess> processes = new ArrayList<>();
        private final List<Integer> ports = new ArrayList<>();
        private final Path dir;

        Cluster(DevStack stack, Path dir) throws IOException {
            this.dir = dir;
            properties.putAll(JobpulseInstance.stackProperties());
            properties.put("kafka.bootstrap.servers", stack.kafka().bootstrapServers());
            properties.put("datasources.default.url", stack.postgres().jdbcUrl());
            properties.put("datasources.default.username", "postgres");
            properties.put("datasources.default.password", stack.postgres().password());
            properties.put("jobpulse.topics.partitions", PARTITIONS);
            properties.put("jobpulse.topology.advertised-host", "127.0.0.1");
            properties.put("jobpulse.topology.standby-replicas", 1);
            properties.put("jobpulse.consumers.lag-interval", "1s");
            properties.put("jobpulse.projections.threads", 2);
            // The subscribers here keep up; on two loaded cores an instance may not send for a moment, and versions
            // coalescing then (as a slow client's should) would hide what is checked: a resume on another instance skips none.
            properties.put("jobpulse.push.coalesce-age", "1m");
            for (int i = 0; i < INSTANCES; i++) {
                ports.add(ServeProcess.freePort());
                processes.add(null);
            }
        }

        void startAll() throws IOException {
            for (int i = 0; i < INSTANCES; i++) {
                restart(i);
            }
            await().atMost(Duration.ofSeconds(120)).until(() -> processes.stream().allMatch(ServeProcess::listens));
            // Ready when each instance answers a read of a job submitted on it: its topology runs and knows the others.
            for (int i = 0; i < INSTANCES; i++) {
                URI at = uri(i);
                await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> get(at, "/v1/jobs/" + submit(at, "scale.ready", null)).statusCode() == 200);
            }
        }

        void restart(int i) throws IOException {
            Map<String, Object> own = new HashMap<>(properties);
            own.put("jobpulse.consumers.instance-id", instanceId(i));
            own.put("jobpulse.topology.state-dir", dir.resolve("streams-" + i).toString());
            processes.set(i, ServeProcess.start(own, ports.get(i), LOGS.resolve("scale-instance-" + i + ".log")));
        }

        String instanceId(int i) {
            return "scale-" + i;
        }

        ServeProcess process(int i) {
            return processes.get(i);
        }

        URI uri(int i) {
            return URI.create("http://127.0.0.1:" + ports.get(i));
        }

        List<InetSocketAddress> addresses() {
            return ports.stream().map(port -> new InetSocketAddress("127.0.0.1", port)).toList();
        }

        @Override
        public void close() throws InterruptedException {
            for (ServeProcess process : processes) {
                if (process != null) {
                    process.close();
                }
            }
        }
    }

    /** Workers' reports at a steady pace through the one address, each with a progress no other report of its job has. */
    private static final class Reports {

        private final List<String> jobs;
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicInteger accepted = new AtomicInteger();
        private final AtomicInteger unknown = new AtomicInteger();
        private final Map<String, AtomicInteger> acceptedByJob = new ConcurrentHashMap<>();
        private final Map<String, AtomicInteger> unknownByJob = new ConcurrentHashMap<>();
        private Thread thread;

        private Reports(List<String> jobs) {
            this.jobs = jobs;
            jobs.forEach(job -> {
                acceptedByJob.put(job, new AtomicInteger());
                unknownByJob.put(job, new AtomicInteger());
            });
        }

        static Reports start(URI one, List<String> jobs) {
            Reports reports = new Reports(jobs);
            reports.thread = Thread.ofPlatform().name("reports").start(() -> {
                for (int n = 0; reports.running.get(); n++) {
                    String job = jobs.get(n % jobs.size());
                    double progress = (n + 1) / 1_000_000.0;
                    try {
                        HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(one.resolve("/v1/jobs/" + job + "/reports"))
                                .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                                .header("Authorization", "Bearer " + JobpulseInstance.token(JobpulseInstance.USER))
                                .POST(HttpRequest.BodyPublishers.ofString("{\"status\":\"running\",\"progress\":" + progress + "}")).build(),
                                HttpResponse.BodyHandlers.ofString());
                        if (answer.statusCode() == 202) {
                            reports.accepted.incrementAndGet();
                            reports.acceptedByJob.get(job).incrementAndGet();
                        }
                    } catch (IOException e) {
                        // Sent, perhaps written, and the answer lost with its instance: a worker would retry.
                        reports.unknown.incrementAndGet();
                        reports.unknownByJob.get(job).incrementAndGet();
                    } catch (InterruptedException e) {
                        return;
                    }
                    try {
                        Thread.sleep(REPORT_PAUSE);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            return reports;
        }

        void stop() throws InterruptedException {
            running.set(false);
            thread.join(15_000);
        }

        int accepted() {
            return accepted.get();
        }

        int unknown() {
            return unknown.get();
        }

        int acceptedOf(String job) {
            return acceptedByJob.get(job).get();
        }

        int unknownOf(String job) {
            return unknownByJob.get(job).get();
        }

        /** Whether every accepted report has been folded: each job at least at 1 + its accepted reports. */
        boolean allFolded(URI one) {
            return jobs.stream().allMatch(job -> json(get(one, "/v1/jobs/" + job)).get("version").asLong() >= 1 + acceptedOf(job));
        }
    }

    /** Reads of the loaded jobs from instances that are up, counting what answers and how long a job went unanswered. */
    private static final class Reads {

        private final Cluster cluster;
        private final List<String> jobs;
        private volatile Set<Integer> avoided;
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicLong answered = new AtomicLong();
        private final AtomicLong unavailable = new AtomicLong();
        private final AtomicLong notFound = new AtomicLong();
        private final Map<String, Instant> lastAnswer = new ConcurrentHashMap<>();
        private final Map<String, List<Instant>> answers = new ConcurrentHashMap<>();
        private volatile Duration longestGap = Duration.ZERO;
        private volatile Instant longestGapEnded;
        private final List<Instant> unavailableAt = new CopyOnWriteArrayList<>();
        private final List<String> unavailableWhy = new CopyOnWriteArrayList<>();
        private Thread thread;

        private Reads(Cluster cluster, List<String> jobs, Set<Integer> avoided) {
            this.cluster = cluster;
            this.jobs = jobs;
            this.avoided = avoided;
        }

        static Reads start(Cluster cluster, List<String> jobs, Set<Integer> avoided) {
            Reads reads = new Reads(cluster, jobs, avoided);
            reads.thread = Thread.ofPlatform().name("reads").start(reads::run);
            return reads;
        }

        private void run() {
            for (int n = 0; running.get(); n++) {
                String job = jobs.get(n % jobs.size());
                List<Integer> up = Stream.iterate(0, i -> i + 1).limit(INSTANCES).filter(i -> !avoided.contains(i)).toList();
                int instance = up.get(ThreadLocalRandom.current().nextInt(up.size()));
                try {
                    HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(cluster.uri(instance).resolve("/v1/jobs/" + job))
                            .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + JobpulseInstance.token(JobpulseInstance.USER))
                            .build(), HttpResponse.BodyHandlers.ofString());
                    switch (answer.statusCode()) {
                        case 200 -> {
                            Instant now = Instant.now();
                            Instant before = lastAnswer.put(job, now);
                            if (before != null && Duration.between(before, now).compareTo(longestGap) > 0) {
                                longestGap = Duration.between(before, now);
                                longestGapEnded = now;
                            }
                            answers.computeIfAbsent(job, k -> new CopyOnWriteArrayList<>()).add(now);
                            answered.incrementAndGet();
                        }
                        case 503 -> {
                            unavailable.incrementAndGet();
                            unavailableAt.add(Instant.now());
                            unavailableWhy.add(instance + ": " + answer.body());
                        }
                        case 404 -> notFound.incrementAndGet();
                        default -> throw new AssertionError("read of " + job + ": " + answer.statusCode() + " " + answer.body());
                    }
                } catch (IOException e) {
                    // The instance went away between the choice and the request: not an answer of a survivor.
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        void avoid(Set<Integer> instances) {
            avoided = instances;
        }

        /** When every one of these jobs had been answered after the instant. */
        Instant firstSuccessAfter(List<String> of, Instant after, Duration atMost) {
            await().atMost(atMost).pollInterval(Duration.ofMillis(20)).until(() -> of.stream()
                    .allMatch(job -> answers.getOrDefault(job, List.of()).stream().anyMatch(at -> at.isAfter(after))));
            return of.stream().map(job -> answers.get(job).stream().filter(at -> at.isAfter(after)).findFirst().orElseThrow())
                    .max(Instant::compareTo).orElseThrow();
        }

        void stop() throws InterruptedException {
            running.set(false);
            thread.join(15_000);
        }

        long answered() {
            return answered.get();
        }

        long unavailable() {
            return unavailable.get();
        }

        long notFound() {
            return notFound.get();
        }

        Duration longestGap() {
            return longestGap;
        }

        /** When the 503s came and the longest gap ended, in ms from the instant: to tell which event caused them. */
        String timeline(Instant from) {
            return "503s at " + unavailableAt.stream().map(at -> Duration.between(from, at).toMillis() + "").toList()
                    + " " + unavailableWhy.stream().limit(3).toList()
                    + " ms, longest gap ended at " + (longestGapEnded == null ? "-" : Duration.between(from, longestGapEnded).toMillis()) + " ms";
        }
    }

    /**
     * A subscriber of the loaded jobs' changes that resumes as the JavaScript client does: when its
     * connection ends, it connects again through the one address, from the last position it had.
     */
    private abstract static class Subscriber {

        final URI first;
        final URI then;
        final String tag;
        final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicInteger reconnects = new AtomicInteger();
        final AtomicInteger resets = new AtomicInteger();
        private final Map<String, List<Long>> versions = new ConcurrentHashMap<>();
        /** Per job, each version received with the number of the connection it came on: to tell where a gap came from. */
        private final Map<String, List<String>> received = new ConcurrentHashMap<>();
        /** Each connection: when it began, where, and from which position. */
        private final List<String> connections = new CopyOnWriteArrayList<>();
        private final Instant began = Instant.now();
        volatile boolean connected;
        volatile String lastPosition;
        private volatile Instant lastUpdate;
        private volatile Duration longestSilence = Duration.ZERO;
        private volatile Instant longestSilenceEnded;
        private Thread thread;

        Subscriber(URI first, URI then, String tag) {
            this.first = first;
            this.then = then;
            this.tag = tag;
        }

        static <T extends Subscriber> T start(T subscriber) {
            subscriber.begin();
            return subscriber;
        }

        final void begin() {
            thread = Thread.ofPlatform().name("subscriber").start(this::run);
        }

        /** One connection, from {@link #lastPosition} if there is one, until it ends. */
        abstract void follow(URI at) throws IOException, InterruptedException;

        /** Ends the connection in use, so that {@link #follow} returns. */
        abstract void disconnect();

        private void run() {
            URI at = first;
            while (running.get()) {
                try {
                    connections.add(Duration.between(began, Instant.now()).toMillis() + " ms " + at + " from " + lastPosition);
                    follow(at);
                } catch (IOException | UncheckedIOException | IllegalStateException e) {
                    // The connection ended with its instance: reconnect, as the client does.
                } catch (InterruptedException e) {
                    return;
                }
                connected = false;
                if (running.get()) {
                    reconnects.incrementAndGet();
                    at = then;
                    try {
                        Thread.sleep(200);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
        }

        void update(JsonNode update) {
            Instant now = Instant.now();
            if (lastUpdate != null && Duration.between(lastUpdate, now).compareTo(longestSilence) > 0) {
                longestSilence = Duration.between(lastUpdate, now);
                longestSilenceEnded = now;
            }
            lastUpdate = now;
            versions.computeIfAbsent(update.get("jobId").asText(), k -> new CopyOnWriteArrayList<>()).add(update.get("version").asLong());
            received.computeIfAbsent(update.get("jobId").asText(), k -> new CopyOnWriteArrayList<>())
                    .add(update.get("version").asLong() + "@" + (connections.size() - 1) + "+" + Duration.between(began, now).toMillis());
        }

        static JsonNode parse(String data) {
            try {
                return JobJson.mapper().readTree(data);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        boolean connected() {
            return connected;
        }

        int reconnects() {
            return reconnects.get();
        }

        Duration longestSilence() {
            return longestSilence;
        }

        /** When the longest silence ended, in ms from the instant. */
        long longestSilenceEnded(Instant from) {
            return longestSilenceEnded == null ? -1 : Duration.between(from, longestSilenceEnded).toMillis();
        }

        /** Whether the last version received of every job is its final one. */
        boolean seenAll(Map<String, Long> finals) {
            return finals.entrySet().stream().allMatch(last -> {
                List<Long> seen = versions.getOrDefault(last.getKey(), List.of());
                return !seen.isEmpty() && seen.getLast().equals(last.getValue());
            });
        }

        /**
         * Every job's versions in order with none missing: each version received is at most the one
         * after the highest before it. Both subscribers follow multi-job streams, which may get
         * versions they had again (a redone transaction's changes, got uncommitted before the
         * instance died: docs/streaming.md, "Before the commit"); the final versions are checked apart.
         */
        void assertNoGap() {
            assertThat(resets.get()).as("resets: a resume the stream could not serve").isZero();
            versions.forEach((job, seen) -> {
                long highest = seen.getFirst();
                for (int i = 1; i < seen.size(); i++) {
                    assertThat(seen.get(i)).as("%s, job %s: version after %d (received version@connection+ms %s; connections %s)",
                            getClass().getSimpleName(), job, seen.get(i - 1), received.get(job), connections)
                            .isLessThanOrEqualTo(highest + 1);
                    highest = Math.max(highest, seen.get(i));
                }
            });
        }

        void stop() throws InterruptedException {
            running.set(false);
            disconnect();
            thread.join(10_000);
        }
    }

    /** An EventSource: {@code GET /v1/stream?tag=}, resumed with {@code Last-Event-ID}. */
    private static final class SseSubscriber extends Subscriber {

        private volatile Stream<String> lines;

        SseSubscriber(URI first, URI then, String tag) {
            super(first, then, tag);
        }

        @Override
        void follow(URI at) throws IOException, InterruptedException {
            HttpRequest.Builder request = HttpRequest.newBuilder(at.resolve("/v1/stream?tag=" + tag))
                    .header("Accept", "text/event-stream")
                    .header("Authorization", "Bearer " + JobpulseInstance.token(JobpulseInstance.USER));
            if (lastPosition != null) {
                request.header("Last-Event-ID", lastPosition);
            }
            HttpResponse<Stream<String>> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofLines());
            lines = response.body();
            if (response.statusCode() != 200) {
                response.body().close();
                return;
            }
            connected = true;
            SseClient.parse(response.body(), event -> {
                if (event.id() != null) {
                    lastPosition = event.id();
                }
                if (event.name().equals("reset")) {
                    resets.incrementAndGet();
                } else if (event.name().equals("status") || event.name().equals("progress")) {
                    update(parse(event.data()));
                }
            });
        }

        @Override
        void disconnect() {
            Stream<String> current = lines;
            if (current != null) {
                current.close();
            }
        }
    }

    /** A WebSocket subscription to the tag, resumed with its {@code cursor}. */
    private static final class SocketSubscriber extends Subscriber implements WebSocket.Listener {

        private final StringBuilder partial = new StringBuilder();
        private volatile CompletableFuture<Void> ended;
        private volatile WebSocket socket;

        SocketSubscriber(URI first, URI then, String tag) {
            super(first, then, tag);
        }

        @Override
        void follow(URI at) throws InterruptedException {
            ended = new CompletableFuture<>();
            try {
                socket = SocketClient.builder("Bearer " + JobpulseInstance.token(JobpulseInstance.USER), null)
                        .buildAsync(URI.create(at.resolve("/v1/ws").toString().replaceFirst("^http", "ws")), this).join();
            } catch (CompletionException e) {
                return;
            }
            String cursor = lastPosition == null ? "" : ",\"cursor\":\"" + lastPosition + "\"";
            socket.sendText("{\"type\":\"subscribe\",\"id\":\"s\",\"filter\":{\"tag\":\"" + tag + "\"}" + cursor + "}", true);
            try {
                ended.get();
            } catch (ExecutionException e) {
                // Ended by an error: reconnect.
            }
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                JsonNode message = parse(partial.toString());
                partial.setLength(0);
                switch (message.path("type").asText()) {
                    case "subscribed" -> {
                        connected = true;
                        lastPosition = message.get("eventId").asText();
                        if (message.path("reset").asBoolean()) {
                            resets.incrementAndGet();
                        }
                    }
                    case "update" -> {
                        lastPosition = message.get("eventId").asText();
                        update(message.get("update"));
                    }
                    // A subscription ended by the server (too slow): connect again from the last position.
                    case "error" -> disconnect();
                    default -> {
                    }
                }
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            ended.complete(null);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            ended.complete(null);
        }

        @Override
        void disconnect() {
            WebSocket current = socket;
            if (current != null) {
                current.abort();
            }
            if (ended != null) {
                ended.complete(null);
            }
        }
    }
}
