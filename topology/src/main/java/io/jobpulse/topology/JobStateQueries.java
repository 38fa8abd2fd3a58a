package io.jobpulse.topology;

import io.jobpulse.events.JobState;
import io.jobpulse.events.StateStores;
import io.jobpulse.events.Topics;
import io.jobpulse.events.http.ProblemException;
import io.jobpulse.events.http.ProblemType;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Reads current job states from the {@code job-state} store, with read-your-writes: a job whose
 * submission Kafka has acknowledged is never reported missing. When the store does not have the
 * job yet, the read waits until the topology has committed past the partition's end offset as it
 * was at the time of the request; only then is "no such job" an answer.
 *
 * <p>Known limit: it answers for the partitions this instance hosts; with several topology
 * instances a read for another instance's partition is answered 503.
 */
@Singleton
@Requires(beans = JobStreams.class)
public class JobStateQueries {

    private static final Duration POLL = Duration.ofMillis(5);

    private final JobStreams jobStreams;
    private final Duration wait;
    private final AtomicInteger partitionCount = new AtomicInteger();

    public JobStateQueries(JobStreams jobStreams, TopologyConfiguration config) {
        this.jobStreams = jobStreams;
        this.wait = config.readYourWritesWait();
    }

    public Optional<JobState> find(String jobId) {
        long deadline = System.nanoTime() + wait.toNanos();
        long endOffset = -1;
        while (true) {
            try {
                int partition = partitionOf(jobId);
                Optional<JobState> state = read(jobId, partition);
                if (state.isPresent()) {
                    return state;
                }
                TopicPartition events = new TopicPartition(Topics.JOB_EVENTS.name(), partition);
                if (endOffset < 0) {
                    endOffset = endOffset(events);
                }
                if (committedOffset(events) >= endOffset) {
                    return read(jobId, partition);
                }
                if (System.nanoTime() > deadline) {
                    throw unavailable("the topology is catching up with recent events");
                }
            } catch (ProblemException e) {
                // Starting, rebalancing or restoring: wait for it, within the same bound.
                if (System.nanoTime() > deadline) {
                    throw e;
                }
            }
            LockSupport.parkNanos(POLL.toNanos());
        }
    }

    /** The partition of the job's events, and so of its state: where the producer's default partitioner put the key. */
    private int partitionOf(String jobId) {
        int partitions = partitionCount.updateAndGet(known -> known > 0 ? known
                : await(jobStreams.admin().describeTopics(List.of(Topics.JOB_EVENTS.name())).allTopicNames())
                        .get(Topics.JOB_EVENTS.name()).partitions().size());
        return BuiltInPartitioner.partitionForKey(Serdes.String().serializer().serialize(Topics.JOB_EVENTS.name(), jobId), partitions);
    }

    private Optional<JobState> read(String jobId, int partition) {
        KafkaStreams.State running = jobStreams.streams().state();
        if (!running.isRunningOrRebalancing()) {
            throw unavailable("the topology is " + running.name().toLowerCase(Locale.ROOT));
        }
        try {
            ReadOnlyKeyValueStore<String, JobState> store = jobStreams.streams().store(StoreQueryParameters
                    .fromNameAndType(StateStores.JOB_STATE, QueryableStoreTypes.<String, JobState>keyValueStore())
                    .withPartition(partition));
            return Optional.ofNullable(store.get(jobId));
        } catch (InvalidStateStoreException e) {
            throw unavailable("the job's partition is not served by this instance right now (" + e.getMessage() + ")");
        }
    }

    private long endOffset(TopicPartition partition) {
        return await(jobStreams.admin().listOffsets(Map.of(partition, OffsetSpec.latest()))
                .partitionResult(partition)).offset();
    }

    private long committedOffset(TopicPartition partition) {
        ListConsumerGroupOffsetsSpec onePartition = new ListConsumerGroupOffsetsSpec().topicPartitions(List.of(partition));
        Map<TopicPartition, OffsetAndMetadata> offsets = await(jobStreams.admin()
                .listConsumerGroupOffsets(Map.of(jobStreams.applicationId(), onePartition)).partitionsToOffsetAndMetadata());
        OffsetAndMetadata committed = offsets.get(partition);
        return committed == null ? 0 : committed.offset();
    }

    private <T> T await(KafkaFuture<T> future) {
        try {
            return future.get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw unavailable("Kafka did not answer: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable("interrupted");
        }
    }

    private static ProblemException unavailable(String why) {
        return new ProblemException(ProblemType.UNAVAILABLE, "Job state cannot be read right now: " + why + ". Retry shortly.");
    }
}
