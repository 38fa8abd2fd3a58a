package io.jobpulse.app;

import io.jobpulse.events.EventSource;
import io.jobpulse.events.JobEvent;
import io.jobpulse.events.JobJson;
import io.jobpulse.events.JobState;
import io.jobpulse.events.JobStatus;
import io.jobpulse.events.StatusChange;
import io.jobpulse.events.Topics;
import io.jobpulse.processors.JobLifecycle;
import io.jobpulse.processors.Outcome;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;

/**
 * Status changes made by the real fold, written straight to {@code jobpulse.job-status}, for
 * tests of its readers that need jobs of other owners or records out of order.
 */
final class StatusChanges implements AutoCloseable {

    private final KafkaProducer<String, byte[]> producer;

    StatusChanges() {
        this(TestStack.get().bootstrapServers);
    }

    /** Writing to another broker than the {@link TestStack}'s. */
    StatusChanges(String bootstrapServers) {
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers, ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), new ByteArraySerializer());
    }

    /** The four changes of a new job: queued, running at 20%, 60%, succeeded. */
    static List<StatusChange> ofNewJob(String owner, String type, List<String> tags) {
        return ofNewJob(owner, type, tags, 2);
    }

    /** The changes of a new job: queued, {@code steps} progress steps while running, succeeded. */
    static List<StatusChange> ofNewJob(String owner, String type, List<String> tags, int steps) {
        return ofNewJob(owner, type, tags, steps, null);
    }

    /** The same, each progress step carrying {@code message} (to make changes as large as a test needs). */
    static List<StatusChange> ofNewJob(String owner, String type, List<String> tags, int steps, String message) {
        String id = UUID.randomUUID().toString();
        Instant t = Instant.now();
        List<JobEvent> events = new ArrayList<>();
        events.add(new JobEvent.Submitted("s-" + id, id, t, t, EventSource.user(owner), owner, type, null, null, tags, null, null, null, null));
        for (int step = 1; step <= steps; step++) {
            double progress = steps == 2 ? (step == 1 ? 0.2 : 0.6) : step / (steps + 1.0);
            events.add(new JobEvent.ReportReceived("r" + step + "-" + id, id, t, t.plusMillis(step), EventSource.service("w"),
                    step == 1 ? JobStatus.RUNNING : null, progress, message, null, null, null));
        }
        events.add(new JobEvent.ReportReceived("done-" + id, id, t, t.plusMillis(steps + 1), EventSource.service("w"),
                JobStatus.SUCCEEDED, null, null, null, null, null));
        List<StatusChange> changes = new ArrayList<>();
        JobState state = null;
        for (JobEvent event : events) {
            Outcome.Applied applied = (Outcome.Applied) JobLifecycle.evolve(state, event);
            state = applied.state();
            changes.add(applied.change());
        }
        return changes;
    }

    /** Writes the change and waits for the broker's acknowledgement. */
    void send(StatusChange change) {
        try {
            producer.send(new ProducerRecord<>(Topics.JOB_STATUS.name(), change.jobId(), JobJson.write(change))).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    @Override
    public void close() {
        producer.close();
    }
}
