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

    private final KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestStack.get().bootstrapServers, ProducerConfig.ACKS_CONFIG, "all"),
            new StringSerializer(), new ByteArraySerializer());

    /** The four changes of a new job: queued, running at 20%, 60%, succeeded. */
    static List<StatusChange> ofNewJob(String owner, String type, List<String> tags) {
        String id = UUID.randomUUID().toString();
        Instant t = Instant.now();
        List<JobEvent> events = List.of(
                new JobEvent.Submitted("s-" + id, id, t, t, EventSource.user(owner), owner, type, null, null, tags, null),
                new JobEvent.ReportReceived("r1-" + id, id, t, t.plusMillis(1), EventSource.service("w"), JobStatus.RUNNING, 0.2, null, null, null, null),
                new JobEvent.ReportReceived("r2-" + id, id, t, t.plusMillis(2), EventSource.service("w"), null, 0.6, null, null, null, null),
                new JobEvent.ReportReceived("r3-" + id, id, t, t.plusMillis(3), EventSource.service("w"), JobStatus.SUCCEEDED, null, null, null, null, null));
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
