package io.jobpulse.push;

import io.jobpulse.events.KafkaSettings;
import io.jobpulse.events.Roles;
import io.jobpulse.events.Topics;
import io.micronaut.context.annotation.Property;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.event.ApplicationEventListener;
import io.micronaut.context.event.StartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Reads every partition of {@code jobpulse.job-status} (read_committed) and hands each change,
 * with its partition and offset, to the {@link SubscriberHub}. Every push instance reads all
 * changes itself, with no consumer group, so each can serve any subscriber and resume any
 * stream. It starts at the end of the topic: what came before is served from the current state
 * when a subscriber connects. Subscriptions wait for {@link #awaitReady} so that no change falls
 * between the snapshot and the feed's starting position.
 */
@Singleton
@Requires(property = Roles.PROPERTY, pattern = Roles.PUSH)
public class StatusChangeFeed implements ApplicationEventListener<StartupEvent> {

    private static final Logger LOG = LoggerFactory.getLogger(StatusChangeFeed.class);

    private final SubscriberHub hub;
    private final KafkaConsumer<String, byte[]> consumer;
    private final CountDownLatch ready = new CountDownLatch(1);
    private final Thread thread;
    private volatile boolean running = true;

    public StatusChangeFeed(SubscriberHub hub, @Property(name = KafkaSettings.BOOTSTRAP_SERVERS) String bootstrapServers) {
        this.hub = hub;
        this.consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.CLIENT_ID_CONFIG, "jobpulse-push-feed",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                new StringDeserializer(), new ByteArrayDeserializer());
        this.thread = Thread.ofPlatform().name("jobpulse-push-feed").daemon().unstarted(this::run);
    }

    @Override
    public void onApplicationEvent(StartupEvent event) {
        thread.start();
    }

    /** Waits until the feed is positioned; false if it is not within the timeout. */
    public boolean awaitReady(Duration timeout) throws InterruptedException {
        return ready.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void run() {
        try {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.JOB_STATUS.name()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(partition -> hub.startAt(partition.partition(), consumer.position(partition)));
            ready.countDown();
            LOG.info("push feed reading {} partitions of {}", partitions.size(), Topics.JOB_STATUS.name());
            while (running) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    deliver(record);
                }
            }
        } catch (WakeupException e) {
            LOG.debug("push feed woken up to stop");
        } catch (RuntimeException e) {
            LOG.error("push feed stopped", e);
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    private void deliver(ConsumerRecord<String, byte[]> record) {
        try {
            long bytes = Math.max(0, record.serializedKeySize()) + Math.max(0, record.serializedValueSize());
            hub.publish(new FeedEntry(JobUpdate.of(Topics.JOB_STATUS.decode(record.value())), record.partition(), record.offset(),
                    bytes));
        } catch (SerializationException e) {
            LOG.warn("skipping undecodable record at {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), e.getMessage());
        }
    }

    @PreDestroy
    void close() throws InterruptedException {
        running = false;
        if (thread.isAlive()) {
            consumer.wakeup();
            thread.join(5_000);
        } else if (thread.getState() == Thread.State.NEW) {
            consumer.close(Duration.ZERO);
        }
    }
}
