import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jobpulse.devstack.DevStack;
import io.jobpulse.events.EventSource;
import io.jobpulse.events.JobError;
import io.jobpulse.events.JobEvent;
import io.jobpulse.events.JobJson;
import io.jobpulse.events.JobState;
import io.jobpulse.events.JobStatus;
import io.jobpulse.events.Topics;
import io.jobpulse.processors.JobLifecycle;
import io.jobpulse.processors.Outcome;
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
import org.apache.kafka.common.serialization.StringDeserializer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Fold throughput: how fast the topology folds {@code jobpulse.job-events} into per-job state, live
 * (catching up a backlog) and in {@code ./jobpulse replay topology}, beside a plain consumer that
 * reads and decodes the same log.
 *
 * <p>Starts a real Kafka broker (port 19592) and PostgreSQL (15932) from the dev stack, writes N
 * events of many jobs to {@code jobpulse.job-events} (3 partitions) the way intake writes them (the
 * events module's types and serde: submissions with input, tags, metadata and a timeout, worker
 * reports with progress, messages and metadata patches, and a completion: success with a result,
 * failure with an error, or a cancel), interleaved over a window of jobs in flight. Then:
 * <ol>
 *   <li>baseline: a plain read_committed consumer reads and decodes the whole log;</li>
 *   <li>reference: the same, folding each event with {@link JobLifecycle} into a map (the fold's
 *       own logic without Kafka Streams);</li>
 *   <li>live: the topology role (the app's own {@code TopologyRuntime}, exactly-once) folds the
 *       backlog from the start; timed from its first commit to the log's end;</li>
 *   <li>{@code ./jobpulse replay topology} as an operator runs it (a separate JVM, on this broker
 *       and database, in the live run's state directory), which rebuilds and compares every job's
 *       state with the live run's. Its own figure is used (events / the time it prints).</li>
 * </ol>
 *
 * Usage: bench/fold-throughput.sh [events]   (default 1,000,000, in run-all's quick mode too)
 */
public class FoldThroughput {

    private static final int KAFKA_PORT = 19592;
    private static final int POSTGRES_PORT = 15932;
    private static final int HTTP_PORT = 18085;
    private static final String APP_ID = "jobpulse-topology";
    /** Jobs in flight at once: each event goes to one of them, so the store's hot set is this large. */
    private static final int IN_FLIGHT = 2_000;
    private static final Pattern REPLAYED = Pattern.compile("replayed (\\d+) events in ([0-9.]+) s");

    public static void main(String[] args) throws Exception {
        // BENCH_QUICK changes nothing here: 1,000,000 events, the goal's own measure, take about two minutes.
        int wanted = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        Path home = Files.createTempDirectory("jobpulse-fold-bench");
        Path stateDir = home.resolve("streams");
        boolean identical;
        try (DevStack stack = DevStack.start(new DevStack.Options(home, true, KAFKA_PORT, 0, true, POSTGRES_PORT, false))) {
            String kafka = stack.kafka().bootstrapServers();
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka))) {
                admin.createTopics(Topics.ALL.stream().map(t -> new NewTopic(t.name(), 3, (short) 1)).toList()).all().get();
            }
            long started = System.nanoTime();
            Log log = produce(kafka, wanted);
            System.out.printf("%,d events of %,d jobs written to %s (3 partitions) in %.1f s; %.0f bytes an event on average%n",
                    log.events, log.jobs, Topics.JOB_EVENTS_NAME, seconds(started), (double) log.bytes / log.events);

            readRate(kafka, log.events, true); // warm-up: the JIT compiles the decoding and the fold once for all runs
            double baseline = readRate(kafka, log.events, false);
            double inMemory = readRate(kafka, log.events, true);
            System.out.printf("baseline: plain consumer, read + decode          %,10.0f events/s%n", baseline);
            System.out.printf("reference: read + decode + fold into a HashMap   %,10.0f events/s%n", inMemory);

            Properties app = new Properties(kafka, stack.postgres().jdbcUrl(), stack.postgres().password(), stateDir);
            double live = liveRate(app, log.events);
            System.out.printf("live fold (topology role, exactly-once)           %,10.0f events/s%n", live);
            Replay replay = replay(app, System.getenv().getOrDefault("BENCH_REPLAY_JAVA_OPTS", ""));
            // Further replays of the same log with other settings, for comparison (not rows of the table).
            for (String variant : System.getenv().getOrDefault("BENCH_REPLAY_VARIANTS", "").split("\\|")) {
                if (!variant.isBlank()) {
                    Replay other = replay(app, variant);
                    System.out.printf("replay with %s: %,.0f events/s (%.1f s)%n  %s%n", variant, other.events / other.seconds,
                            other.seconds, other.output.lines().filter(l -> l.startsWith("replayed")).findFirst().orElse(""));
                }
            }
            double replayRate = replay.events / replay.seconds;
            System.out.printf("replay topology: %,d events in %.1f s (the command's own figure; %.1f s with its JVM start): %,10.0f events/s%n",
                    replay.events, replay.seconds, replay.wallSeconds, replayRate);
            System.out.println("replay's check: " + replay.verdict);
            System.out.print(replay.output.indent(2));

            String size = String.format("%,d events, %,d jobs", log.events, log.jobs);
            new Results("fold.replay.rate", "replay topology, events/s (" + size + ")", "/s", replayRate, baseline,
                    "plain consumer: read + decode the same log", false, 50_000, Double.NaN).report();
            double scale = 1_000_000.0 / replay.events;
            new Results("fold.replay.1m", "replay topology of 1,000,000 events, s" + (replay.events == 1_000_000 ? ""
                    : " (scaled from " + String.format("%,d", replay.events) + ")"), "s", replay.seconds * scale,
                    1_000_000.0 / baseline, "plain consumer reading 1,000,000", true, 30, Double.NaN).report();
            new Results("fold.live.rate", "live fold catching up a backlog, events/s (" + size + ")", "/s", live, baseline,
                    "plain consumer: read + decode the same log", false, Double.NaN, Double.NaN).report();
            identical = replay.verdict.startsWith("every rebuilt state equals");
        } finally {
            deleteTree(home);
        }
        if (!identical) {
            System.err.println("the replay's states differ from the live fold's");
            System.exit(1);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }

    record Log(long events, int jobs, long bytes) {
    }

    record Properties(String kafka, String jdbc, String password, Path stateDir) {
    }

    record Replay(long events, double seconds, double wallSeconds, String verdict, String output) {
    }

    /**
     * Writes about {@code wanted} events: jobs of 3 to 12 events, each taking the next free place of
     * {@link #IN_FLIGHT} slots; every event goes to a random slot's job, as independent workers'
     * reports would arrive.
     */
    private static Log produce(String kafka, int wanted) throws Exception {
        Random random = new Random(17);
        // Now: deadlines (an hour after submission) must not pass during the run, or the live fold writes expiries.
        Instant clock = Instant.now();
        List<List<JobEvent>> slots = new ArrayList<>();
        int jobs = 0;
        long events = 0;
        long bytes = 0;
        AtomicReference<Exception> failed = new AtomicReference<>();
        Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka, ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true, ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.BATCH_SIZE_CONFIG, 65_536);
        try (var producer = new KafkaProducer<>(config, Topics.JOB_EVENTS.keySerde().serializer(),
                Topics.JOB_EVENTS.valueSerde().serializer())) {
            while (events < wanted) {
                while (slots.size() < IN_FLIGHT && events + slots.stream().mapToLong(List::size).sum() < wanted) {
                    slots.add(job(random, clock.plusMillis(jobs)));
                    jobs++;
                }
                if (slots.isEmpty()) {
                    break;
                }
                int slot = random.nextInt(slots.size());
                List<JobEvent> job = slots.get(slot);
                JobEvent event = job.removeFirst();
                if (job.isEmpty()) {
                    slots.set(slot, slots.getLast());
                    slots.removeLast();
                }
                bytes += JobJson.write(event).length;
                producer.send(new ProducerRecord<>(Topics.JOB_EVENTS_NAME, event.jobId(), event), (metadata, e) -> {
                    if (e != null) {
                        failed.compareAndSet(null, e);
                    }
                });
                events++;
            }
            producer.flush();
        }
        if (failed.get() != null) {
            throw new IllegalStateException("the broker did not take every event", failed.get());
        }
        return new Log(events, jobs, bytes);
    }

    /** One job's events: a submission, reports, and how it ended. */
    private static List<JobEvent> job(Random random, Instant at) {
        String id = uuid7(at, random);
        EventSource user = EventSource.user("user-" + random.nextInt(50));
        EventSource worker = EventSource.service("key-worker-" + random.nextInt(20));
        ObjectNode input = JobJson.mapper().createObjectNode()
                .put("prompt", "a lighthouse on a cliff at dusk, in the style of plate " + random.nextInt(10_000))
                .put("width", 1024).put("height", 1024).put("steps", 30).put("seed", random.nextLong());
        Map<String, JsonNode> metadata = Map.of("team", JobJson.mapper().getNodeFactory().textNode("render-" + random.nextInt(8)),
                "batch", JobJson.mapper().getNodeFactory().numberNode(random.nextInt(1000)));
        List<JobEvent> events = new ArrayList<>();
        events.add(new JobEvent.Submitted(uuid7(at, random), id, at, at, user, user.id(), "image.generate", input, metadata,
                List.of("bench", "images"), Duration.ofHours(1), null, null, null));
        int reports = 1 + random.nextInt(10);
        for (int i = 1; i <= reports; i++) {
            Instant t = at.plusMillis(100L * i);
            JobStatus status = i == 1 ? JobStatus.RUNNING : null;
            String message = i % 3 == 0 ? "step " + i * 3 + " of 30" : null;
            Map<String, JsonNode> patch = i == 1 ? Map.of("worker", JobJson.mapper().getNodeFactory().textNode(worker.id())) : null;
            events.add(new JobEvent.ReportReceived(uuid7(t, random), id, t, t, worker, status, (double) i / (reports + 1), message,
                    patch, null, null));
        }
        Instant end = at.plusMillis(100L * (reports + 1));
        int outcome = random.nextInt(20);
        if (outcome < 17) {
            ObjectNode result = JobJson.mapper().createObjectNode().put("url", "https://cdn.example/" + id + ".png")
                    .put("bytes", 1_000_000 + random.nextInt(1_000_000));
            events.add(new JobEvent.ReportReceived(uuid7(end, random), id, end, end, worker, JobStatus.SUCCEEDED, 1.0, null, null,
                    result, null));
        } else if (outcome < 19) {
            events.add(new JobEvent.ReportReceived(uuid7(end, random), id, end, end, worker, JobStatus.FAILED, null, null, null,
                    null, new JobError("out-of-memory", "the GPU ran out of memory at step 12", true)));
        } else {
            events.add(new JobEvent.CancelRequested(uuid7(end, random), id, end, end, user, "no longer needed"));
        }
        return events;
    }

    /** A UUIDv7 as intake makes them: 48 bits of milliseconds, then random bits. */
    private static String uuid7(Instant at, Random random) {
        long msb = (at.toEpochMilli() << 16) | 0x7000L | (random.nextInt() & 0x0FFFL);
        long lsb = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(msb, lsb).toString();
    }

    /** Events per second read and decoded (and folded into a map, if asked) by a plain consumer from the start of the log. */
    private static double readRate(String kafka, long events, boolean fold) {
        try (var consumer = new KafkaConsumer<>(Map.<String, Object>of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed", ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.JOB_EVENTS_NAME).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<String, JobState> states = new HashMap<>();
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long read = 0;
            long started = System.nanoTime();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (seconds(started) > 300) {
                    throw new IllegalStateException("read " + read + " of " + events + " events in 5 minutes");
                }
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    JobEvent event = Topics.JOB_EVENTS.decode(record.value());
                    if (fold && JobLifecycle.evolve(states.get(event.jobId()), event) instanceof Outcome.Applied applied) {
                        states.put(event.jobId(), applied.state());
                    }
                    read++;
                }
            }
            if (read != events) {
                throw new IllegalStateException("the log holds " + read + " events, not the " + events + " written");
            }
            return read / seconds(started);
        }
    }

    /** Events per second folded by the topology role from its first commit to the log's end. */
    private static double liveRate(Properties app, long events) throws Exception {
        Map<String, Object> props = new HashMap<>();
        props.put("jobpulse.roles", "topology");
        props.put("kafka.bootstrap.servers", app.kafka);
        props.put("datasources.default.url", app.jdbc);
        props.put("datasources.default.username", "postgres");
        props.put("datasources.default.password", app.password);
        props.put("jobpulse.topics.provision", "false");
        props.put("jobpulse.topology.state-dir", app.stateDir.toString());
        props.put("micronaut.server.port", HTTP_PORT);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, app.kafka));
             ApplicationContext context = ApplicationContext.builder().properties(props).start()) {
            long first = 0;
            long firstCount = 0;
            long lastReport = System.nanoTime();
            while (true) {
                long committed = admin.listConsumerGroupOffsets(APP_ID).partitionsToOffsetAndMetadata().get().entrySet().stream()
                        .filter(e -> e.getKey().topic().equals(Topics.JOB_EVENTS_NAME) && e.getValue() != null)
                        .mapToLong(e -> e.getValue().offset()).sum();
                if (committed > 0 && first == 0) {
                    first = System.nanoTime();
                    firstCount = committed;
                }
                if (committed >= events) {
                    return (committed - firstCount) / seconds(first);
                }
                if (System.nanoTime() - lastReport > 10_000_000_000L) {
                    System.out.printf("  live fold: %,d of %,d events committed%n", committed, events);
                    lastReport = System.nanoTime();
                }
                Thread.sleep(50);
            }
        }
    }

    /** Runs {@code ./jobpulse replay topology} on this stack and reads what it printed. */
    private static Replay replay(Properties app, String javaOpts) throws Exception {
        ProcessBuilder builder = new ProcessBuilder("./jobpulse", "replay", "topology").redirectErrorStream(true);
        builder.environment().put("KAFKA_BOOTSTRAP_SERVERS", app.kafka);
        builder.environment().put("JDBC_URL", app.jdbc);
        builder.environment().put("JDBC_USERNAME", "postgres");
        builder.environment().put("JDBC_PASSWORD", app.password);
        builder.environment().put("JOBPULSE_STATE_DIR", app.stateDir.toString());
        builder.environment().put("JOBPULSE_JAVA_OPTS", javaOpts);
        long started = System.nanoTime();
        Process process = builder.start();
        StringBuilder output = new StringBuilder();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            lines.lines().forEach(line -> output.append(line).append('\n'));
        }
        int exit = process.waitFor();
        double wall = seconds(started);
        Matcher replayed = REPLAYED.matcher(output);
        if (exit != 0 || !replayed.find()) {
            throw new IllegalStateException("replay topology failed (exit " + exit + "):\n" + output);
        }
        String verdict = output.toString().lines().filter(l -> l.contains("rebuilt state") || l.contains("differ"))
                .findFirst().orElse("(no verdict)");
        String printed = output.toString().lines().filter(l -> !l.startsWith("WARNING") && !l.contains(" WARN ")).reduce("", (a, b) -> a + b + "\n");
        return new Replay(Long.parseLong(replayed.group(1)), Double.parseDouble(replayed.group(2)), wall, verdict, printed);
    }

    private static double seconds(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1e9;
    }
}
