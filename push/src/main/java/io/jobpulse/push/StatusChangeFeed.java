package io.jobpulse.push;

import io.jobpulse.consumers.ConsumerWorker;
import io.jobpulse.events.KafkaSettings;
import io.jobpulse.events.Roles;
import io.jobpulse.events.Topics;
import io.jobpulse.events.TraceHeaders;
import io.micronaut.context.annotation.Property;
import io.micronaut.context.annotation.Requires;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import jakarta.inject.Singleton;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Reads every partition of {@code jobpulse.job-status} and hands each change,
 * with its partition and offset, to the {@link SubscriberHub}. Every push instance reads all
 * changes itself, with no consumer group, so each can serve any subscriber and resume any
 * stream. It starts at the end of the topic: what came before is read back from the topic by
 * {@link LogReplay} for a subscriber resuming from before the history (an older cursor, or a
 * job's older version), and served from the current state to a one-job subscriber that connects
 * without a version, or whose versions the topic no longer has. Subscriptions wait for
 * {@link #awaitReady} so that no change falls between the snapshot and the feed's starting position.
 *
 * <p>By default it reads uncommitted records ({@code jobpulse.push.read-uncommitted}): a change
 * is on the streams as soon as the topology has written it, not one exactly-once commit later.
 * A change of a transaction that then aborts is written again, identical, when the topology
 * redoes the transaction (the fold is a function of the committed log), and the hub drops the
 * repeat by version; docs/streaming.md says what a subscriber sees in that case.
 *
 * <p>Each change is handed to the hub in a span of its own ({@code push}), a child of the
 * record's {@code traceparent} (the fold's span); the update carries that {@code traceparent} as
 * it is, for the clients. The span ends when the change is in every matching subscriber's inbox,
 * not when the bytes are written to each connection.
 */
@Singleton
@Requires(property = Roles.PROPERTY, pattern = Roles.PUSH)
public class StatusChangeFeed extends ConsumerWorker {

    private static final Logger LOG = LoggerFactory.getLogger(StatusChangeFeed.class);

    private final SubscriberHub hub;
    private final Tracer tracer;
    private final CountDownLatch ready = new CountDownLatch(1);

    public StatusChangeFeed(SubscriberHub hub, @Property(name = KafkaSettings.BOOTSTRAP_SERVERS) String bootstrapServers,
                            PushConfiguration config, OpenTelemetry telemetry) {
        super("jobpulse-push-feed", Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.CLIENT_ID_CONFIG, "jobpulse-push-feed",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, config.isolationLevel()));
        this.hub = hub;
        this.tracer = telemetry.getTracer(TraceHeaders.INSTRUMENTATION);
    }

    /** Waits until the feed is positioned; false if it is not within the timeout. */
    public boolean awaitReady(Duration timeout) throws InterruptedException {
        return ready.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Every partition, from its end: no consumer group, so every instance reads every change. */
    @Override
    protected void subscribe() {
        List<TopicPartition> partitions = consumer.partitionsFor(Topics.JOB_STATUS.name()).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition()))
                .toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(partition -> hub.startAt(partition.partition(), consumer.position(partition)));
        ready.countDown();
        LOG.info("push feed reading {} partitions of {}", partitions.size(), Topics.JOB_STATUS.name());
    }

    @Override
    protected void handle(ConsumerRecords<String, byte[]> records) {
        records.forEach(this::deliver);
    }

    private void deliver(ConsumerRecord<String, byte[]> record) {
        Span span = tracer.spanBuilder("push").setSpanKind(SpanKind.CONSUMER)
                .setParent(TraceHeaders.extract(record.headers())).startSpan();
        if (span.isRecording()) {
            span.setAttribute("messaging.system", "kafka");
            span.setAttribute("messaging.destination.name", record.topic());
            span.setAttribute("jobpulse.job.id", String.valueOf(record.key()));
        }
        try (Scope ignored = span.makeCurrent()) {
            entry(record).ifPresent(hub::publish);
        } finally {
            span.end();
        }
    }

    /** The change a record of the topic holds, with its position and size; empty for one that cannot be read. */
    static Optional<FeedEntry> entry(ConsumerRecord<String, byte[]> record) {
        long bytes = Math.max(0, record.serializedKeySize()) + Math.max(0, record.serializedValueSize());
        return Topics.JOB_STATUS.decodeOrSkip(record.value(), record.partition(), record.offset())
                .map(change -> new FeedEntry(JobUpdate.of(change, TraceHeaders.traceparent(record.headers())),
                        record.partition(), record.offset(), bytes));
    }

    /**
     * The partition of {@code jobpulse.job-status} that holds a job's changes: the topology writes
     * them keyed by job id with the default partitioner, so all of a job's changes are in this one
     * partition, in version order.
     */
    static int partitionOf(String jobId, int partitions) {
        return BuiltInPartitioner.partitionForKey(Serdes.String().serializer().serialize(Topics.JOB_STATUS.name(), jobId), partitions);
    }
}
