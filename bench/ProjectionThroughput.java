import io.jobpulse.devstack.DevStack;
import io.jobpulse.events.EventSource;
import io.jobpulse.events.JobEvent;
import io.jobpulse.events.JobJson;
import io.jobpulse.events.JobState;
import io.jobpulse.events.JobStatus;
import io.jobpulse.events.StatusChange;
import io.jobpulse.events.Topics;
import io.jobpulse.processors.JobLifecycle;
import io.jobpulse.processors.Outcome;
import io.jobpulse.projections.ProjectionRebuild;
import io.micronaut.context.ApplicationContext;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Projection throughput: how many status changes per second the projector writes to PostgreSQL.
 *
 * <p>Starts a real Kafka broker and a durable PostgreSQL (fsync and synchronous commit on) from
 * the dev stack, writes N changes (jobs x 5 versions, made by the real fold) to
 * jobpulse.job-status, then, three times: empties the read model, starts the projections role
 * with a fresh consumer group, and times from its first projected row to the last. Baseline in
 * the same session: reading and decoding the same records with a plain consumer (the Kafka side
 * alone). Last, one `replay projections` rebuild of the same records.
 *
 * Usage: bench/projection-throughput.sh [jobs]   (default 20000, i.e. 100000 changes)
 */
public class ProjectionThroughput {

    /** The benchmark database's password. */
    private static String password;

    public static void main(String[] args) throws Exception {
        int jobs = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        Path home = Files.createTempDirectory("jobpulse-bench");
        try (DevStack stack = DevStack.start(new DevStack.Options(home, true, 0, 0, true, 0, true))) {
            String kafka = stack.kafka().bootstrapServers();
            String jdbc = stack.postgres().jdbcUrl();
            password = stack.postgres().password();
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka))) {
                admin.createTopics(Topics.ALL.stream().map(t -> new NewTopic(t.name(), 3, (short) 1)).toList()).all().get();
            }
            long changes = produce(kafka, jobs);
            System.out.printf("%d changes of %d jobs on %s (3 partitions); PostgreSQL with fsync on%n", changes, jobs, Topics.JOB_STATUS_NAME);

            List<Double> baseline = new ArrayList<>();
            List<Double> projector = new ArrayList<>();
            for (int run = 0; run < 3; run++) {
                baseline.add(readRate(kafka, changes));
                projector.add(projectRate(kafka, jdbc, changes, run));
            }
            double base = median(baseline);
            double proj = median(projector);
            System.out.printf("baseline: read + decode with a plain consumer   %,10.0f changes/s  (runs %s)%n", base, rates(baseline));
            System.out.printf("projector: batched upserts to PostgreSQL        %,10.0f changes/s  (runs %s)%n", proj, rates(projector));
            System.out.printf("ratio projector / baseline: %.2f%n", proj / base);
            rebuild(kafka, jdbc);
        }
    }

    /** Writes jobs x 5 changes, interleaved across jobs as live traffic would be. */
    private static long produce(String kafka, int jobs) throws Exception {
        List<List<StatusChange>> perJob = new ArrayList<>();
        Instant t = Instant.now();
        for (int j = 0; j < jobs; j++) {
            String id = UUID.randomUUID().toString();
            List<JobEvent> events = List.of(
                    new JobEvent.Submitted("s-" + id, id, t, t, EventSource.user("bench"), "bench", "bench.image", null, null, List.of("bench"), null, null, null),
                    new JobEvent.ReportReceived("a-" + id, id, t, t.plusMillis(1), EventSource.service("w"), JobStatus.RUNNING, 0.25, null, null, null, null),
                    new JobEvent.ReportReceived("b-" + id, id, t, t.plusMillis(2), EventSource.service("w"), null, 0.5, "halfway", null, null, null),
                    new JobEvent.ReportReceived("c-" + id, id, t, t.plusMillis(3), EventSource.service("w"), null, 0.75, null, null, null, null),
                    new JobEvent.ReportReceived("d-" + id, id, t, t.plusMillis(4), EventSource.service("w"), JobStatus.SUCCEEDED, null, null, null,
                            JobJson.mapper().createObjectNode().put("url", "https://cdn.example/" + id + ".png"), null));
            List<StatusChange> changes = new ArrayList<>();
            JobState state = null;
            for (JobEvent event : events) {
                Outcome.Applied applied = (Outcome.Applied) JobLifecycle.evolve(state, event);
                state = applied.state();
                changes.add(applied.change());
            }
            perJob.add(changes);
        }
        long sent = 0;
        try (var producer = new KafkaProducer<>(Map.<String, Object>of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka,
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, 5), new StringSerializer(), new ByteArraySerializer())) {
            for (int version = 0; version < 5; version++) {
                for (List<StatusChange> job : perJob) {
                    StatusChange change = job.get(version);
                    producer.send(new ProducerRecord<>(Topics.JOB_STATUS_NAME, change.jobId(), JobJson.write(change)));
                    sent++;
                }
            }
            producer.flush();
        }
        return sent;
    }

    /** Changes per second read and decoded by a plain consumer from the start of the topic. */
    private static double readRate(String kafka, long changes) {
        try (var consumer = new KafkaConsumer<>(Map.<String, Object>of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed", ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.JOB_STATUS_NAME).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long read = 0;
            long started = System.nanoTime();
            while (read < changes) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    JobJson.read(record.value(), StatusChange.class);
                    read++;
                }
            }
            return read / seconds(started);
        }
    }

    /** Changes per second projected, from the first row written to the last, with a fresh group and empty tables. */
    private static double projectRate(String kafka, String jdbc, long changes, int run) throws Exception {
        Map<String, Object> props = new HashMap<>();
        props.put("jobpulse.roles", "projections");
        props.put("kafka.bootstrap.servers", kafka);
        props.put("datasources.default.url", jdbc);
        props.put("datasources.default.username", "postgres");
        props.put("datasources.default.password", password);
        props.put("jobpulse.projections.group-id", "bench-" + run);
        props.put("jobpulse.projections.events-group-id", "bench-events-" + run);
        props.put("jobpulse.topics.provision", "false");
        props.put("micronaut.server.port", -1);
        try (Connection db = DriverManager.getConnection(jdbc, "postgres", password)) {
            try (ApplicationContext context = ApplicationContext.builder().properties(props).start()) {
                db.createStatement().execute("TRUNCATE jobs, job_changes");
                return timeUntil(db, changes);
            }
        }
    }

    private static double timeUntil(Connection db, long changes) throws Exception {
        long first = 0;
        long firstCount = 0;
        while (true) {
            long count = count(db);
            if (count > 0 && first == 0) {
                first = System.nanoTime();
                firstCount = count;
            }
            if (count >= changes) {
                return (count - firstCount) / seconds(first);
            }
            Thread.sleep(20);
        }
    }

    private static void rebuild(String kafka, String jdbc) {
        Map<String, Object> props = new HashMap<>();
        props.put("jobpulse.roles", "projections");
        props.put(ProjectionRebuild.PROJECTORS_ENABLED, "false");
        props.put("kafka.bootstrap.servers", kafka);
        props.put("datasources.default.url", jdbc);
        props.put("datasources.default.username", "postgres");
        props.put("datasources.default.password", password);
        props.put("jobpulse.topics.provision", "false");
        try (ApplicationContext context = ApplicationContext.builder().properties(props).start()) {
            ProjectionRebuild.Report report = context.getBean(ProjectionRebuild.class).run(false);
            System.out.printf("replay projections: %d changes rebuilt and swapped in %.1f s (%,.0f changes/s), identical to live: %s%n",
                    report.records(), report.took().toMillis() / 1000.0, report.records() / (report.took().toMillis() / 1000.0),
                    report.matches());
        }
    }

    private static long count(Connection db) throws Exception {
        try (ResultSet row = db.createStatement().executeQuery("SELECT count(*) FROM job_changes")) {
            row.next();
            return row.getLong(1);
        }
    }

    private static double seconds(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1e9;
    }

    private static double median(List<Double> values) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return sorted[sorted.length / 2];
    }

    private static String rates(List<Double> values) {
        return Arrays.toString(values.stream().mapToLong(Math::round).toArray());
    }
}
