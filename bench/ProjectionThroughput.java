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

import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Projection throughput: how many status changes per second the projector writes to PostgreSQL,
 * beside the fastest plain load of the same rows.
 *
 * <p>Starts a real Kafka broker and a durable PostgreSQL (fsync and synchronous commit on) from
 * the dev stack on free ports, writes N changes (jobs x 5 versions, made by the real fold) to
 * jobpulse.job-status, then, three times: empties the read model, starts the projections role
 * with a fresh consumer group, and times from its first projected row until the group has
 * committed every offset (offsets are committed after the rows, so that is "all projected and
 * acknowledged"). Baselines in the same session: reading and decoding the same records with a
 * plain consumer (the Kafka side alone), and PostgreSQL {@code COPY} (pgjdbc's CopyManager, binary)
 * of the rows the projector wrote (every job's row and every change's row, exported with
 * {@code COPY TO}) into empty tables made {@code LIKE} the live ones with all their indexes, in one
 * transaction. Last, one {@code replay projections} rebuild of the same records.
 *
 * <p>{@code BENCH_QUICK=1}: 10,000 jobs (50,000 changes), for run-all's budget of about 90 s.
 * {@code BENCH_JFR=file.jfr}: a Flight Recording (settings=profile) of the live runs.
 * {@code BENCH_PG_STATEMENTS=1}: PostgreSQL restarted with pg_stat_statements, whose top
 * statements over the live runs are printed. {@code BENCH_PROJECTION_SQL}: SQL run before the
 * second and third live runs, for experiments on the schema (the first run keeps it as it is).
 *
 * Usage: bench/projection-throughput.sh [jobs]   (default 20000, i.e. 100000 changes)
 */
public class ProjectionThroughput {

    /** The benchmark database's password. */
    private static String password;
    /** The benchmark database's data directory (its postmaster.pid names the server's process). */
    private static Path postgresData;
    /** PostgreSQL's CPU seconds (every process of the server) per run, live and by COPY. */
    private static final List<Double> projectorCpu = new ArrayList<>();
    private static final List<Double> copyCpu = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        boolean quick = "1".equals(System.getenv("BENCH_QUICK"));
        int jobs = args.length > 0 ? Integer.parseInt(args[0]) : quick ? 10_000 : 20_000;
        Path home = Files.createTempDirectory("jobpulse-bench");
        boolean statements = "1".equals(System.getenv("BENCH_PG_STATEMENTS"));
        if (statements) {
            try (DevStack stack = DevStack.start(new DevStack.Options(home, false, 0, 0, true, 0, true));
                 Connection db = DriverManager.getConnection(stack.postgres().jdbcUrl(), "postgres", stack.postgres().password())) {
                db.createStatement().execute("ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'");
            }
        }
        try (DevStack stack = DevStack.start(new DevStack.Options(home, true, 0, 0, true, 0, true))) {
            String kafka = stack.kafka().bootstrapServers();
            String jdbc = stack.postgres().jdbcUrl();
            password = stack.postgres().password();
            postgresData = home.resolve("postgres");
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka))) {
                admin.createTopics(Topics.ALL.stream().map(t -> new NewTopic(t.name(), 3, (short) 1)).toList()).all().get();
            }
            long changes = produce(kafka, jobs);
            System.out.printf("%d changes of %d jobs on %s (3 partitions); PostgreSQL with fsync on%n", changes, jobs, Topics.JOB_STATUS_NAME);

            List<Double> baseline = new ArrayList<>();
            List<Double> projector = new ArrayList<>();
            Recording recording = startRecording();
            if (statements) {
                execute(jdbc, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements", "SELECT pg_stat_statements_reset()");
            }
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka))) {
                for (int run = 0; run < 3; run++) {
                    baseline.add(readRate(kafka, changes));
                    projector.add(projectRate(kafka, jdbc, admin, changes, run));
                }
            }
            stopRecording(recording);
            if (statements) {
                printStatements(jdbc);
            }
            List<Double> copy = copyRates(jdbc, changes);
            double base = median(baseline);
            double proj = median(projector);
            double copied = median(copy);
            System.out.printf("baseline: read + decode with a plain consumer   %,10.0f changes/s  (runs %s)%n", base, rates(baseline));
            System.out.printf("baseline: COPY of the same rows into PostgreSQL %,10.0f changes/s  (runs %s)%n", copied, rates(copy));
            System.out.printf("projector: batched upserts to PostgreSQL        %,10.0f changes/s  (runs %s)%n", proj, rates(projector));
            System.out.printf("ratio projector / plain consumer: %.2f; projector / COPY: %.2f%n", proj / base, proj / copied);
            System.out.printf("PostgreSQL CPU per 1,000 changes (all its processes; less sensitive than rates to a loaded machine):"
                    + " projector %.0f ms (runs %s), COPY %.0f ms (runs %s)%n", 1e6 * median(projectorCpu) / changes, perThousand(projectorCpu, changes),
                    1e6 * median(copyCpu) / changes, perThousand(copyCpu, changes));
            String copyWhat = "PostgreSQL COPY of the same rows (jobs + job_changes, same indexes, fsync on)";
            new Results("projection.live", "live projector, " + changes + " changes", "/s", proj, copied, copyWhat,
                    false, 40_000, 0.5).report();
            double replay = rebuild(kafka, jdbc);
            new Results("projection.replay", "replay projections, " + changes + " changes", "/s", replay, copied, copyWhat,
                    false, Double.NaN, 0.5).report();
            new Results("projection.plain-consumer", "plain consumer reads + decodes the same changes (context)", "/s", base,
                    Double.NaN, null, false, Double.NaN, Double.NaN).report();
        }
    }

    /** A Flight Recording (settings=profile) of the live runs, when {@code BENCH_JFR} names its file. */
    private static Recording startRecording() throws Exception {
        String file = System.getenv("BENCH_JFR");
        if (file == null || file.isBlank()) {
            return null;
        }
        Recording recording = new Recording(Configuration.getConfiguration("profile"));
        recording.setDestination(Path.of(file));
        recording.start();
        return recording;
    }

    private static void stopRecording(Recording recording) {
        if (recording != null) {
            recording.stop();
            recording.close();
            System.out.println("flight recording of the live runs: " + System.getenv("BENCH_JFR"));
        }
    }

    /** The statements that took most of PostgreSQL's time during the live runs. */
    private static void printStatements(String jdbc) throws Exception {
        try (Connection db = DriverManager.getConnection(jdbc, "postgres", password);
             ResultSet rows = db.createStatement().executeQuery("""
                     SELECT calls, round(total_exec_time)::bigint, round(total_plan_time)::bigint, rows,
                            round(100 * total_exec_time / sum(total_exec_time) OVER ())::int, left(regexp_replace(query, '\\s+', ' ', 'g'), 110)
                     FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 12""")) {
            System.out.println("pg_stat_statements over the live runs: calls, exec ms, plan ms, rows, share of exec, statement");
            while (rows.next()) {
                System.out.printf("%8d %8d %6d %9d %3d%%  %s%n", rows.getLong(1), rows.getLong(2), rows.getLong(3), rows.getLong(4),
                        rows.getInt(5), rows.getString(6));
            }
        }
    }

    private static void execute(String jdbc, String... sql) throws Exception {
        try (Connection db = DriverManager.getConnection(jdbc, "postgres", password); Statement statement = db.createStatement()) {
            for (String each : sql) {
                statement.execute(each);
            }
        }
    }

    /** Writes jobs x 5 changes, interleaved across jobs as live traffic would be. */
    private static long produce(String kafka, int jobs) throws Exception {
        List<List<StatusChange>> perJob = new ArrayList<>();
        Instant t = Instant.now();
        for (int j = 0; j < jobs; j++) {
            String id = UUID.randomUUID().toString();
            List<JobEvent> events = List.of(
                    new JobEvent.Submitted("s-" + id, id, t, t, EventSource.user("bench"), "bench", "bench.image", null, null, List.of("bench"), null, null, null, null),
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

    /**
     * Changes per second projected, from the first row written until the group has committed every
     * offset, with a fresh group and empty tables.
     */
    private static double projectRate(String kafka, String jdbc, Admin admin, long changes, int run) throws Exception {
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
            // Emptied before the projector starts (the first start makes the tables, empty).
            db.createStatement().execute("DO $$ BEGIN IF to_regclass('jobs') IS NOT NULL THEN TRUNCATE jobs, job_changes; END IF; END $$");
            String experiment = System.getenv("BENCH_PROJECTION_SQL");
            if (experiment != null && run > 0) {
                // For experiments on the schema (indexes, storage): from the second run, once the tables exist.
                db.createStatement().execute(experiment);
            }
            try (ApplicationContext context = ApplicationContext.builder().properties(props).start()) {
                return timeUntil(db, admin, "bench-" + run, changes);
            }
        }
    }

    /** Waits for the first row cheaply (no count of a growing table while it is written), then for the committed offsets. */
    private static double timeUntil(Connection db, Admin admin, String group, long changes) throws Exception {
        double cpu = postgresCpuSeconds();
        while (!exists(db)) {
            Thread.sleep(10);
        }
        long first = System.nanoTime();
        long firstCount = count(db);
        while (committed(admin, group) < changes) {
            Thread.sleep(20);
        }
        double rate = (changes - firstCount) / seconds(first);
        projectorCpu.add(postgresCpuSeconds() - cpu);
        return rate;
    }

    private static long committed(Admin admin, String group) throws Exception {
        return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().entrySet().stream()
                .filter(e -> e.getKey().topic().equals(Topics.JOB_STATUS_NAME) && e.getValue() != null)
                .mapToLong(e -> e.getValue().offset()).sum();
    }

    private static boolean exists(Connection db) throws Exception {
        try (ResultSet row = db.createStatement().executeQuery("SELECT EXISTS (SELECT 1 FROM job_changes)")) {
            row.next();
            return row.getBoolean(1);
        }
    }

    /**
     * Changes per second loaded by COPY: the rows the projector wrote (jobs and job_changes,
     * exported with COPY TO in binary) copied into empty tables like the live ones (columns,
     * constraints, every index), both in one transaction, three times.
     */
    private static List<Double> copyRates(String jdbc, long changes) throws Exception {
        List<Double> rates = new ArrayList<>();
        try (Connection db = DriverManager.getConnection(jdbc, "postgres", password); Statement statement = db.createStatement()) {
            CopyManager copy = db.unwrap(PGConnection.class).getCopyAPI();
            byte[] jobRows = export(copy, "jobs");
            byte[] changeRows = export(copy, "job_changes");
            statement.execute("CREATE TABLE jobs_copy (LIKE jobs INCLUDING ALL)");
            statement.execute("CREATE TABLE job_changes_copy (LIKE job_changes INCLUDING ALL)");
            for (int run = 0; run < 3; run++) {
                statement.execute("TRUNCATE jobs_copy, job_changes_copy");
                db.setAutoCommit(false);
                double cpu = postgresCpuSeconds();
                long started = System.nanoTime();
                copy.copyIn("COPY jobs_copy FROM STDIN (FORMAT binary)", new ByteArrayInputStream(jobRows));
                long copied = copy.copyIn("COPY job_changes_copy FROM STDIN (FORMAT binary)", new ByteArrayInputStream(changeRows));
                db.commit();
                rates.add(copied / seconds(started));
                copyCpu.add(postgresCpuSeconds() - cpu);
                db.setAutoCommit(true);
                if (copied != changes) {
                    throw new IllegalStateException("COPY loaded " + copied + " changes, expected " + changes);
                }
            }
            statement.execute("DROP TABLE jobs_copy, job_changes_copy");
        }
        return rates;
    }

    /**
     * CPU seconds used so far by the server's processes (the postmaster and its children, from
     * /proc): sampled around a run, the database's work for it, whatever else loads the machine.
     * A backend that exits takes its time with it, so samples are taken while the run's connections live.
     */
    private static double postgresCpuSeconds() throws Exception {
        String postmaster = Files.readAllLines(postgresData.resolve("postmaster.pid")).getFirst().trim();
        long ticks = 0;
        try (var processes = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path process : processes) {
                String stat;
                try {
                    stat = Files.readString(process.resolve("stat"));
                } catch (java.io.IOException gone) {
                    continue;
                }
                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                if (process.getFileName().toString().equals(postmaster) || fields[1].equals(postmaster)) {
                    ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
                }
            }
        }
        return ticks / 100.0;
    }

    private static String perThousand(List<Double> cpu, long changes) {
        return Arrays.toString(cpu.stream().mapToLong(c -> Math.round(1e6 * c / changes)).toArray());
    }

    private static byte[] export(CopyManager copy, String table) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        copy.copyOut("COPY " + table + " TO STDOUT (FORMAT binary)", out);
        return out.toByteArray();
    }

    /** One {@code replay projections} rebuild; returns its changes per second. */
    private static double rebuild(String kafka, String jdbc) throws Exception {
        Map<String, Object> props = new HashMap<>();
        props.put("jobpulse.roles", "projections");
        props.put(ProjectionRebuild.PROJECTORS_ENABLED, "false");
        props.put("kafka.bootstrap.servers", kafka);
        props.put("datasources.default.url", jdbc);
        props.put("datasources.default.username", "postgres");
        props.put("datasources.default.password", password);
        props.put("jobpulse.topics.provision", "false");
        double cpu = postgresCpuSeconds();
        try (ApplicationContext context = ApplicationContext.builder().properties(props).start()) {
            ProjectionRebuild.Report report = context.getBean(ProjectionRebuild.class).run(false);
            double rate = report.records() / (report.took().toMillis() / 1000.0);
            System.out.printf("replay projections: %d changes rebuilt and swapped in %.1f s (%,.0f changes/s), identical to live: %s;"
                    + " PostgreSQL CPU per 1,000 changes %.0f ms%n", report.records(), report.took().toMillis() / 1000.0, rate,
                    report.matches(), 1e6 * (postgresCpuSeconds() - cpu) / report.records());
            return rate;
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
