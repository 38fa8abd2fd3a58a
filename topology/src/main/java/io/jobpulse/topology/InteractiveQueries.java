package io.jobpulse.topology;

import io.jobpulse.events.JobState;
import io.jobpulse.events.Topics;
import io.jobpulse.http.JobIds;
import io.jobpulse.http.ProblemException;
import io.jobpulse.http.ProblemType;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.TaskMetadata;
import org.apache.kafka.streams.ThreadMetadata;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Reads current job states from the {@code job-state} store (and batches' from theirs, by a
 * {@link StoreView}), with read-your-writes for jobs
 * submitted a moment ago: Kafka acknowledges a submission (and the client gets its 202) a little
 * before the topology has folded it, so a job that is not in the store yet may still be on its way.
 *
 * <p>The rule, so that a missing id costs little whatever an attacker sends: only an id that says
 * it was made (UUIDv7 time) within the last {@code read-your-writes-window}, and not later than
 * {@link #CLOCK_SKEW} from now, is waited for. The wait re-reads the local store at growing
 * intervals (from the commit interval up to {@link #MAX_RECHECK}) until the job is there or the
 * window since the id's time has passed. At most {@code read-your-writes-waiters} requests wait at
 * once; beyond that a request that would wait is answered 503 with {@code Retry-After} at once.
 *
 * <p>404 is said only when it is true: once this instance's task has folded and committed every
 * event of the id's partition that Kafka had made visible when the id's event could last have been
 * written ({@link #confirmMissing}): the partition's last stable offset, asked of Kafka. A recent id
 * still missing after its window asks for it then; an older one takes the end last asked, if it was
 * asked after the id's time, so that a missing id that is not recent costs one store read while the
 * topology keeps up, and Kafka is asked about once per partition per window however many such ids
 * arrive. A task that is behind is waited for, up to {@code read-your-writes-wait}, and then it is
 * 503 with {@code Retry-After}; a task that stands still short of the end is looked at by
 * {@link PartitionTails}, since transaction markers and aborted events are never folded. So a client
 * that retries on 503 is never told that a job it submitted does not exist, however far behind the
 * topology is. The partition count is asked of Kafka once and kept.
 *
 * <p>Known limit: ids without a time (name-based ones, from {@code Idempotency-Key}) are not
 * waited for, so such a job can be missing for a commit interval after its 202.
 *
 * <p>With several topology instances, {@link #locate} says which of them hold a job's partition
 * (Kafka Streams' metadata, from every member's {@code application.server}): the active one first,
 * then its standbys. {@link #find} reads this instance's copy, active or standby.
 */
@Singleton
@Requires(beans = TopologyRuntime.class)
public class InteractiveQueries {

    /** How far in the future an id's time may be (instances' clocks differ a little) and still be waited for. */
    static final Duration CLOCK_SKEW = Duration.ofSeconds(1);
    /** The longest pause between two reads of the store while waiting for a job. */
    static final Duration MAX_RECHECK = Duration.ofMillis(250);
    private static final Duration UNAVAILABLE_RECHECK = Duration.ofMillis(50);
    /** How many commit intervals a task short of a partition's end may stand still before its tail is looked at. */
    private static final int STILL_BEFORE_TAIL_CHECK = 3;

    private final TopologyRuntime jobStreams;
    private final Duration wait;
    private final Duration window;
    private final Duration firstRecheck;
    private final Semaphore waiters;
    private final AtomicInteger partitionCount = new AtomicInteger();
    private final AtomicLong storeReads = new AtomicLong();
    private final AtomicLong kafkaCalls = new AtomicLong();
    private final Map<TopicPartition, AskedEnd> askedEnds = new ConcurrentHashMap<>();
    private final Map<TopicPartition, Long> groupCommits = new ConcurrentHashMap<>();

    public InteractiveQueries(TopologyRuntime jobStreams, TopologyConfiguration config) {
        this.jobStreams = jobStreams;
        this.wait = config.readYourWritesWait();
        this.window = config.readYourWritesWindow();
        this.firstRecheck = config.commitInterval().isZero() ? Duration.ofMillis(1) : config.commitInterval();
        this.waiters = new Semaphore(config.readYourWritesWaiters());
    }

    /**
     * The instances that hold the job's partition, the active one first, or {@link Placement#HERE}
     * when instances do not know each other's addresses. While the group
     * rebalances and no instance is active for it, this waits up to {@code read-your-writes-wait},
     * then answers 503.
     */
    public Placement locate(String jobId) {
        return locate(StoreView.JOBS, jobId);
    }

    /** The instances that hold the id's partition of the view's store, as {@link #locate(String)} does for a job. */
    public Placement locate(StoreView<?> view, String id) {
        HostInfo self = jobStreams.self();
        if (self == null) {
            return Placement.HERE;
        }
        Instant deadline = Instant.now().plus(wait);
        while (true) {
            KeyQueryMetadata metadata = metadata(view, id);
            if (metadata != null && metadata.activeHost().port() > 0) {
                List<HostInfo> hosts = new ArrayList<>(List.of(metadata.activeHost()));
                hosts.addAll(metadata.standbyHosts());
                return new Placement(hosts, self);
            }
            if (Instant.now().isAfter(deadline)) {
                throw unavailable("no instance is active for the " + view.noun() + "'s partition while the topology rebalances");
            }
            LockSupport.parkNanos(UNAVAILABLE_RECHECK.toNanos());
        }
    }

    private KeyQueryMetadata metadata(StoreView<?> view, String id) {
        try {
            KeyQueryMetadata metadata = jobStreams.streams().queryMetadataForKey(view.placedBy(), id, Serdes.String().serializer());
            return metadata == null || metadata == KeyQueryMetadata.NOT_AVAILABLE ? null : metadata;
        } catch (KafkaException e) {
            return null;
        }
    }

    /**
     * Where a job's state is held.
     *
     * @param hosts the instances with a copy of its partition, the active one first; empty when
     *              instances do not know each other's addresses (then it is read here)
     * @param self  this instance, which may be among the hosts
     */
    public record Placement(List<HostInfo> hosts, HostInfo self) {

        static final Placement HERE = new Placement(List.of(), null);

        /** Whether this instance holds the active copy. */
        public boolean here() {
            return hosts.isEmpty() || hosts.getFirst().equals(self);
        }

        /** The instances with a standby copy, without the active one. */
        public Placement standbys() {
            return new Placement(hosts.isEmpty() ? List.of() : hosts.subList(1, hosts.size()), self);
        }
    }

    /**
     * The job's state from the active copy of its partition here, waiting for a job submitted a
     * moment ago, and while the topology starts or rebalances.
     */
    public Optional<JobState> find(String jobId) {
        return find(StoreView.JOBS, jobId);
    }

    /** {@link #find(String)} for any view: a batch made a moment ago is waited for as a job is. */
    public <V> Optional<V> find(StoreView<V> view, String id) {
        return find(view, id, false, true);
    }

    /**
     * The same without waiting for the topology to start or rebalance: for reads that can ask the
     * partition's other holders at once instead, such as another instance's.
     */
    public Optional<JobState> findNow(String jobId) {
        return findNow(StoreView.JOBS, jobId);
    }

    public <V> Optional<V> findNow(StoreView<V> view, String id) {
        return find(view, id, false, false);
    }

    /**
     * The job's state from this instance's copy of its partition, a standby's if it has no active
     * one: read when the active instance cannot answer, without waiting. A standby may be a moment
     * behind, or restoring; a job it does not have may still exist, so that is 503, never 404.
     */
    public JobState findInCopy(String jobId) {
        return findInCopy(StoreView.JOBS, jobId);
    }

    public <V> V findInCopy(StoreView<V> view, String id) {
        return find(view, id, true, false).orElseThrow(() -> unavailable("this instance's copy of the " + view.noun()
                + "'s partition does not have it (yet), and only the active copy can say that it does not exist"));
    }

    private <V> Optional<V> find(StoreView<V> view, String jobId, boolean stale, boolean waitForServing) {
        Instant arrived = Instant.now();
        int partition = partitionOf(jobId);
        Optional<V> state = readWhenServing(view, jobId, partition, stale, waitForServing ? arrived.plus(wait) : arrived);
        if (state.isPresent()) {
            return state;
        }
        Optional<Instant> giveUp = waitUntil(jobId, arrived, window);
        if (giveUp.isEmpty() && (stale || foldedToKnownEnd(view, jobId, partition, arrived))) {
            return state;
        }
        if (!waiters.tryAcquire()) {
            throw new ProblemException(ProblemType.UNAVAILABLE, "Too many reads are waiting for " + view.noun() + "s not folded yet;"
                    + " " + view.noun() + " " + jobId + " is not readable yet. Retry in a second.");
        }
        try {
            if (giveUp.isPresent()) {
                Instant deadline = earlier(giveUp.get(), arrived.plus(wait));
                Duration pause = firstRecheck;
                while (Instant.now().plus(pause).isBefore(deadline)) {
                    LockSupport.parkNanos(pause.toNanos());
                    state = read(view, jobId, partition, stale);
                    if (state.isPresent()) {
                        return state;
                    }
                    pause = earlier(pause.multipliedBy(2), MAX_RECHECK);
                }
                state = read(view, jobId, partition, stale);
                if (state.isPresent() || stale) {
                    return state;
                }
            }
            return confirmMissing(view, jobId, partition, giveUp.isPresent(), arrived.plus(wait));
        } finally {
            waiters.release();
        }
    }

    /**
     * An id still missing is missing only once this instance's task has folded (and committed)
     * every event of the id's partition that Kafka had made visible when its event could last have
     * been written: the partition's last stable offset, asked of Kafka now for a recent id, and for
     * an older one asked since its event was written ({@link #knownEnd}). (What the task itself knows is
     * not enough: its consumer fetches ahead of what it has folded, and says nothing of how far.)
     * While the task is short of that offset, as when it works through a backlog, a 404 would be
     * false: the read waits, up to {@code deadline}, for the task to get there, then looks once
     * more; if the task is still short of it then, it is 503 with {@code Retry-After}. With the
     * topology keeping up, that is a commit interval or two.
     */
    private <V> Optional<V> confirmMissing(StoreView<V> view, String id, int partition, boolean recent, Instant deadline) {
        TopicPartition source = new TopicPartition(view.source(), partition);
        long end = recent ? askEnd(source) : knownEnd(source, id, Instant.now()).orElseGet(() -> askEnd(source));
        if (!foldedTo(view, partition, end) && committed(view, partition) < 0) {
            // Streams knows a task's committed offset only from its first commit on: an idle one's is asked of its group.
            askGroupCommitted(source);
        }
        long folded = folded(view, partition);
        int unmoved = 0;
        while (end > 0 && folded < end) {
            if (Instant.now().isAfter(deadline)) {
                throw new Unfolded("the topology has not yet folded every event of the " + view.noun()
                        + "'s partition, and " + view.noun() + " " + id + " may be among them");
            }
            LockSupport.parkNanos(firstRecheck.toNanos());
            long now = folded(view, partition);
            unmoved = now == folded ? unmoved + 1 : 0;
            folded = now;
            if (unmoved == STILL_BEFORE_TAIL_CHECK && folded < end && !holdsEvents(source, folded, end, deadline)) {
                break;
            }
        }
        return read(view, id, partition, false);
    }

    /** Whether a task that stopped short of {@code end} has events left before it, or only markers and aborted events. */
    private boolean holdsEvents(TopicPartition source, long from, long end, Instant deadline) {
        Duration left = Duration.between(Instant.now(), deadline);
        if (left.isNegative() || left.isZero()) {
            return true;
        }
        kafkaCalls.incrementAndGet();
        try {
            return jobStreams.tails().holdsEvents(source, from, end, left);
        } catch (KafkaException e) {
            return true;
        }
    }

    /** The next offset of the partition not yet folded and committed, by this instance's task, or before it by its group. */
    private long folded(StoreView<?> view, int partition) {
        return Math.max(committed(view, partition), groupCommits.getOrDefault(new TopicPartition(view.source(), partition), -1L));
    }

    /** Whether the task has folded every event of the id's partition up to an end asked of Kafka after the id's event, if any, was written. */
    private boolean foldedToKnownEnd(StoreView<?> view, String id, int partition, Instant now) {
        Optional<Long> end = knownEnd(new TopicPartition(view.source(), partition), id, now);
        return end.isPresent() && foldedTo(view, partition, end.get());
    }

    /** Whether every event of the partition before {@code end} has been folded and committed (by this instance's task, or before it by its group). */
    private boolean foldedTo(StoreView<?> view, int partition, long end) {
        return end <= 0 || folded(view, partition) >= end;
    }

    /**
     * The partition's end last asked of Kafka, if asked after the id's event (if there is one) was
     * written: after the id's time, give or take the instances' clock skew. An id without a time
     * that can be trusted (name-based, or from the future) takes an end asked within the window.
     */
    private Optional<Long> knownEnd(TopicPartition partition, String id, Instant now) {
        AskedEnd asked = askedEnds.get(partition);
        Instant writtenBy = JobIds.madeAt(id).filter(made -> !made.isAfter(now)).map(made -> made.plus(CLOCK_SKEW)).orElse(now.minus(window));
        return asked != null && asked.at().isAfter(writtenBy) ? Optional.of(asked.offset()) : Optional.empty();
    }

    private long askEnd(TopicPartition partition) {
        Instant at = Instant.now();
        long end = lastStableOffset(partition);
        askedEnds.merge(partition, new AskedEnd(end, at), (known, asked) -> asked.at().isAfter(known.at()) ? asked : known);
        return end;
    }

    /** A partition's last stable offset and when it was asked for. */
    private record AskedEnd(long offset, Instant at) {
    }

    private void askGroupCommitted(TopicPartition partition) {
        kafkaCalls.incrementAndGet();
        OffsetAndMetadata committed = await(jobStreams.admin().listConsumerGroupOffsets(jobStreams.applicationId())
                .partitionsToOffsetAndMetadata()).get(partition);
        if (committed != null) {
            groupCommits.merge(partition, committed.offset(), Math::max);
        }
    }

    private long lastStableOffset(TopicPartition partition) {
        kafkaCalls.incrementAndGet();
        return await(jobStreams.admin().listOffsets(Map.of(partition, OffsetSpec.latest()),
                new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).partitionResult(partition)).offset();
    }

    /**
     * The next offset of a source partition that this instance's active task has committed, as
     * Streams knows without asking Kafka; -1 until the task's first commit.
     */
    private long committed(StoreView<?> view, int partition) {
        TopicPartition source = new TopicPartition(view.source(), partition);
        for (ThreadMetadata thread : jobStreams.streams().metadataForLocalThreads()) {
            for (TaskMetadata task : thread.activeTasks()) {
                if (task.topicPartitions().contains(source)) {
                    return task.committedOffsets().getOrDefault(source, -1L);
                }
            }
        }
        throw unavailable("this instance no longer holds " + source + " while the topology rebalances");
    }

    /**
     * Until when a missing id is worth waiting for: its time plus the window, if it says it was made
     * within the window before {@code now} and not more than {@link #CLOCK_SKEW} after it; else never.
     */
    static Optional<Instant> waitUntil(String jobId, Instant now, Duration window) {
        return JobIds.madeAt(jobId)
                .filter(made -> !made.isAfter(now.plus(CLOCK_SKEW)) && made.isAfter(now.minus(window)))
                .map(made -> made.plus(window));
    }

    /** How long a read waits for the topology to serve it: {@code read-your-writes-wait}. */
    public Duration servingWait() {
        return wait;
    }

    /** Store reads since start: what missing ids cost, for tests and operators. */
    public long storeReads() {
        return storeReads.get();
    }

    /** Requests to Kafka's admin API made to answer reads since start. */
    public long kafkaCalls() {
        return kafkaCalls.get();
    }

    /** The store read, waiting (within the deadline) while the topology starts, rebalances or restores. */
    private <V> Optional<V> readWhenServing(StoreView<V> view, String jobId, int partition, boolean stale, Instant deadline) {
        while (true) {
            try {
                return read(view, jobId, partition, stale);
            } catch (ProblemException e) {
                // Starting or rebalancing ends soon; a topology stopping or failed does not come back, so
                // the caller (another instance, say) had better ask elsewhere at once.
                KafkaStreams.State state = jobStreams.streams().state();
                boolean coming = state == KafkaStreams.State.CREATED || state.isRunningOrRebalancing();
                if (!coming || Instant.now().isAfter(deadline)) {
                    throw e;
                }
            }
            LockSupport.parkNanos(UNAVAILABLE_RECHECK.toNanos());
        }
    }

    /**
     * The partition of the job's events, and so of its state: where the producer's default partitioner put the key.
     * A batch's events are keyed and partitioned alike, on a topic of as many partitions.
     */
    private int partitionOf(String jobId) {
        int partitions = partitionCount.updateAndGet(known -> known > 0 ? known : describePartitions());
        return BuiltInPartitioner.partitionForKey(Serdes.String().serializer().serialize(Topics.JOB_EVENTS.name(), jobId), partitions);
    }

    private int describePartitions() {
        kafkaCalls.incrementAndGet();
        return await(jobStreams.admin().describeTopics(List.of(Topics.JOB_EVENTS.name())).allTopicNames())
                .get(Topics.JOB_EVENTS.name()).partitions().size();
    }

    private <V> Optional<V> read(StoreView<V> view, String jobId, int partition, boolean stale) {
        KafkaStreams.State running = jobStreams.streams().state();
        if (!running.isRunningOrRebalancing()) {
            throw unavailable("the topology is " + running.name().toLowerCase(Locale.ROOT));
        }
        try {
            StoreQueryParameters<ReadOnlyKeyValueStore<String, Object>> parameters = StoreQueryParameters.fromNameAndType(view.readFrom(), QueryableStoreTypes.<String, Object>keyValueStore())
                    .withPartition(partition);
            ReadOnlyKeyValueStore<String, Object> store = jobStreams.streams().store(stale ? parameters.enableStaleStores() : parameters);
            storeReads.incrementAndGet();
            return Optional.ofNullable(view.lookup().apply(store, jobId));
        } catch (InvalidStateStoreException e) {
            throw unavailable("the " + view.noun() + "'s partition is not served by this instance right now (" + e.getMessage() + ")");
        }
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

    private static <T extends Comparable<? super T>> T earlier(T a, T b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /**
     * A 503 for a missing id that the topology may not have folded yet: asking another holder of the
     * partition would not do better, so unlike other 503s of this package it is not passed over for one.
     */
    static final class Unfolded extends ProblemException {
        Unfolded(String why) {
            super(ProblemType.UNAVAILABLE, "The state cannot be read right now: " + why + ". Retry shortly.");
        }
    }

    /** A 503 problem saying why a job's (or batch's) state cannot be read now, for every read of this package. */
    static ProblemException unavailable(String why) {
        return new ProblemException(ProblemType.UNAVAILABLE, "The state cannot be read right now: " + why + ". Retry shortly.");
    }
}
