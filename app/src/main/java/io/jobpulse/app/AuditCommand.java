package io.jobpulse.app;

import io.jobpulse.events.Endpoint;
import io.jobpulse.events.EndpointChange;
import io.jobpulse.events.JobEvent;
import io.jobpulse.events.JobJson;
import io.jobpulse.events.Topic;
import io.jobpulse.events.Topics;
import io.jobpulse.processors.JobAudit;
import io.jobpulse.processors.Outcome;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code jobpulse audit <jobId> [--at <instant>]}: a job's history as the log has it. Reads the
 * job's partition of {@code jobpulse.job-events} (committed records only) from its start, folds
 * the job's events with the same pure fold the topology runs, and prints each event with what it
 * did, then the job's state, as of the instant if one is given. It needs only Kafka; PostgreSQL
 * and the running service are not consulted. {@code jobpulse audit endpoint <endpointId>} prints an
 * outbound webhook endpoint's changes from {@code jobpulse.endpoints} the same way.
 */
final class AuditCommand {

    private AuditCommand() {
    }

    static void run(String[] args, Deployment deployment, PrintStream out) {
        if (args.length == 0 || args[0].startsWith("-")) {
            throw new IllegalArgumentException("usage: jobpulse audit <jobId> [--at <ISO-8601 instant>] | jobpulse audit endpoint <endpointId>");
        }
        if (args[0].equals("endpoint")) {
            if (args.length != 2) {
                throw new IllegalArgumentException("usage: jobpulse audit endpoint <endpointId>");
            }
            deployment.requireKafka();
            endpoint(args[1], deployment.bootstrapServers(), out);
            return;
        }
        String jobId = args[0];
        Instant asOf = null;
        for (int i = 1; i < args.length; i++) {
            if (args[i].equals("--at") && i + 1 < args.length) {
                asOf = instant(args[++i]);
            } else {
                throw new IllegalArgumentException("unknown option '" + args[i] + "'; usage: jobpulse audit <jobId> [--at <instant>]");
            }
        }
        deployment.requireKafka();
        String bootstrapServers = deployment.bootstrapServers();
        List<ConsumerRecord<String, byte[]>> records = read(Topics.JOB_EVENTS, "job", jobId, bootstrapServers);
        if (records.isEmpty()) {
            throw new IllegalStateException("no job " + jobId + " in " + Topics.JOB_EVENTS.name() + " at " + bootstrapServers);
        }
        List<JobEvent> log = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> record : records) {
            try {
                log.add(Topics.JOB_EVENTS.decode(record.value()));
            } catch (SerializationException e) {
                out.printf("%8d  not an event: %s%n", record.offset(), e.getMessage());
            }
        }
        JobAudit.Result audit = JobAudit.fold(log, asOf);
        out.printf("job %s: %d events in %s%s%n", jobId, log.size(), Topics.JOB_EVENTS.name(),
                asOf == null ? "" : ", " + audit.entries().size() + " received by " + asOf);
        out.printf("%-26s %-22s %-24s %s%n", "received at", "event", "source", "outcome");
        for (JobAudit.Entry entry : audit.entries()) {
            JobEvent event = entry.event();
            out.printf("%-26s %-22s %-24s %s%n", event.receivedAt(), event.wireName(),
                    event.source() == null ? "-" : event.source().key(), describe(entry.outcome()));
        }
        if (audit.state() == null) {
            if (asOf == null) {
                throw new IllegalStateException("job " + jobId + " has no event in " + Topics.JOB_EVENTS.name() + " at " + bootstrapServers
                        + " that the fold takes");
            }
            out.println("the job did not exist yet at " + asOf);
            return;
        }
        out.println(asOf == null ? "state:" : "state as of " + asOf + ":");
        out.println(new String(JobJson.write(audit.state()), StandardCharsets.UTF_8));
    }

    private static String describe(Outcome outcome) {
        return switch (outcome) {
            case Outcome.Applied applied -> "v" + applied.change().version() + " " + applied.change().status()
                    + (applied.change().changed().isEmpty() ? "" : " " + applied.change().changed());
            case Outcome.Rejected rejected -> "refused: " + rejected.reason().code() + " (" + rejected.detail() + ")";
        };
    }

    /**
     * An endpoint's configuration as the log has it: every change of {@code jobpulse.endpoints} for
     * it, with who made it and what the endpoint was after it. Secrets are never printed, only when
     * each was made and until when it signs.
     */
    private static void endpoint(String endpointId, String bootstrapServers, PrintStream out) {
        List<ConsumerRecord<String, byte[]>> records = read(Topics.ENDPOINTS, "endpoint", endpointId, bootstrapServers);
        if (records.isEmpty()) {
            throw new IllegalStateException("no endpoint " + endpointId + " in " + Topics.ENDPOINTS.name() + " at " + bootstrapServers);
        }
        out.printf("endpoint %s: %d changes in %s%n", endpointId, records.size(), Topics.ENDPOINTS.name());
        out.printf("%-26s %-24s %-24s %s%n", "at", "change", "by", "endpoint after it");
        for (ConsumerRecord<String, byte[]> record : records) {
            try {
                EndpointChange change = Topics.ENDPOINTS.decode(record.value());
                Endpoint endpoint = change.endpoint();
                String secrets = endpoint.secrets().stream().map(secret -> "made " + secret.createdAt()
                        + (secret.expiresAt() == null ? "" : ", signs until " + secret.expiresAt())).toList().toString();
                out.printf("%-26s %-24s %-24s v%d %s %s owner=%s filter=%s secrets=%s%n", change.at(), change.change(),
                        change.by() == null ? "-" : change.by().key(), endpoint.version(), endpoint.status(), endpoint.url(),
                        endpoint.owner() == null ? "(every owner)" : endpoint.owner(),
                        new String(JobJson.write(endpoint.filter()), StandardCharsets.UTF_8), secrets);
            } catch (SerializationException e) {
                out.printf("%8d  not an endpoint change: %s%n", record.offset(), e.getMessage());
            }
        }
    }

    /** A key's records, in order: its partition of the topic read from the start to its end at the time of the call. */
    private static List<ConsumerRecord<String, byte[]>> read(Topic<String, ?> topic, String what, String key, String bootstrapServers) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                // Asking a broker that is not Jobpulse's about the topic must not create it there.
                ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        try (var consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<PartitionInfo> partitions = consumer.listTopics(Duration.ofSeconds(10)).get(topic.name());
            if (partitions == null || partitions.isEmpty()) {
                throw new IllegalStateException("no topic " + topic.name() + " at " + bootstrapServers
                        + ", so no " + what + " " + key + ": Jobpulse has not run against this broker (KAFKA_BOOTSTRAP_SERVERS)");
            }
            // Records are keyed with Kafka's default partitioner: the key's partition holds all of its records.
            TopicPartition partition = new TopicPartition(topic.name(),
                    BuiltInPartitioner.partitionForKey(key.getBytes(StandardCharsets.UTF_8), partitions.size()));
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition)).get(partition);
            List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
            while (consumer.position(partition) < end) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    if (key.equals(record.key()) && record.offset() < end) {
                        records.add(record);
                    }
                }
            }
            return records;
        }
    }

    private static Instant instant(String text) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("--at takes an ISO-8601 instant such as 2026-11-22T21:09:32Z, not '" + text + "'");
        }
    }
}
