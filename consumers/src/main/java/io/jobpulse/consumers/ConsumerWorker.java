package io.jobpulse.consumers;

import io.micronaut.context.event.ApplicationEventListener;
import io.micronaut.context.event.StartupEvent;
import jakarta.annotation.PreDestroy;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * A Kafka consumer on a thread of its own, the one way the roles' background readers run (the
 * ingest role's poller and cancel propagation, push's status feed): started with the application,
 * stopped on shutdown by waking the consumer. It reads committed records only, unless its settings ask for
 * another isolation level, and never commits by itself; a subclass
 * subscribes it, handles each poll's records, and commits when it has done their work. When
 * handling fails (Kafka cannot take an event, say), the consumer is rewound to the first record of
 * each partition in the batch and tries again after {@link #RETRY_PAUSE}: the work is redone,
 * never skipped, and the worker keeps running.
 *
 * <p>A worker in a consumer group is its instance's member 0 of that group, by the rules of
 * {@link GroupMembership}: static with an instance id, its session as configured, and on
 * shutdown it leaves the group at once.
 */
public abstract class ConsumerWorker implements ApplicationEventListener<StartupEvent> {

    private static final Logger LOG = LoggerFactory.getLogger(ConsumerWorker.class);
    private static final Duration POLL = Duration.ofMillis(100);
    public static final Duration RETRY_PAUSE = Duration.ofSeconds(1);

    protected final Consumer<String, byte[]> consumer;
    private final Thread thread;
    private final String name;
    private volatile boolean running = true;
    /** The partitions the consumer held after its last poll, read by other threads (the consumer itself may not be). */
    private volatile Set<TopicPartition> assigned = Set.of();
    private volatile long lastPollNanos;

    /** @param settings the consumer's own settings (bootstrap servers, offset reset; no group) */
    protected ConsumerWorker(String name, Map<String, Object> settings) {
        this(name, settings, GroupMembership.DEFAULT);
    }

    /** @param settings the consumer's own settings (bootstrap servers, group, offset reset) */
    protected ConsumerWorker(String name, Map<String, Object> settings, GroupMembership membership) {
        this(name, new KafkaConsumer<>(withDefaults(settings, membership), new StringDeserializer(), new ByteArrayDeserializer()));
    }

    protected ConsumerWorker(String name, Consumer<String, byte[]> consumer) {
        this.name = name;
        this.consumer = consumer;
        this.thread = Thread.ofPlatform().name(name).daemon().unstarted(this::run);
    }

    private static Map<String, Object> withDefaults(Map<String, Object> settings, GroupMembership membership) {
        Map<String, Object> config = new HashMap<>(settings);
        if (settings.get(ConsumerConfig.GROUP_ID_CONFIG) instanceof String group) {
            membership.consumerSettings(group, 0).forEach(config::putIfAbsent);
        }
        config.putIfAbsent(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        return config;
    }

    /** Subscribes or assigns the consumer; called on the worker's thread before the first poll. */
    protected abstract void subscribe();

    /** Does the work of one poll's records (possibly none), on the worker's thread. */
    protected abstract void handle(ConsumerRecords<String, byte[]> records);

    @Override
    public void onApplicationEvent(StartupEvent event) {
        thread.start();
    }

    private void run() {
        try {
            subscribe();
            while (running) {
                ConsumerRecords<String, byte[]> records = consumer.poll(POLL);
                assigned = Set.copyOf(consumer.assignment());
                lastPollNanos = System.nanoTime();
                try {
                    handle(records);
                } catch (RuntimeException e) {
                    LOG.warn("{}: handling {} records failed ({}); trying them again in {} ms", name, records.count(),
                            e.getMessage(), RETRY_PAUSE.toMillis());
                    records.partitions().forEach(partition ->
                            consumer.seek(partition, records.records(partition).getFirst().offset()));
                    Thread.sleep(RETRY_PAUSE);
                }
            }
        } catch (WakeupException e) {
            LOG.debug("{} woken up to stop", name);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.error("{} stopped", name, e);
        } finally {
            GroupMembership.leave(consumer);
        }
    }

    /**
     * What the worker is doing, for health: whether its thread runs, the partitions it held at its last poll, and
     * how long ago that poll returned (a worker stuck in its handling polls no more).
     */
    public Status status() {
        long last = lastPollNanos;
        return new Status(name, thread.isAlive(), assigned.size(),
                last == 0 ? null : Duration.ofNanos(System.nanoTime() - last));
    }

    /** @param sinceLastPoll null before the first poll returned */
    public record Status(String name, boolean running, int partitions, Duration sinceLastPoll) {
    }

    @PreDestroy
    public void stop() throws InterruptedException {
        running = false;
        if (thread.isAlive()) {
            consumer.wakeup();
            thread.join(5_000);
        } else if (thread.getState() == Thread.State.NEW) {
            consumer.close(Duration.ZERO);
        }
    }
}
