package io.jobpulse.topology;

import io.jobpulse.events.JobEvent;
import io.jobpulse.events.JobJson;
import io.jobpulse.events.JobLimits;
import io.jobpulse.events.JobState;
import io.jobpulse.events.RejectedEvent;
import io.jobpulse.events.StateStores;
import io.jobpulse.events.StatusChange;
import io.jobpulse.events.Topics;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;

/**
 * The topology in a {@link TopologyTestDriver}, with its wall clock starting at a given instant and
 * a deadline check every second; typed access to its topics and stores.
 */
final class TopologyHarness implements AutoCloseable {

    static final Duration DEADLINE_CHECK = Duration.ofSeconds(1);

    final TopologyTestDriver driver;
    final TestInputTopic<String, byte[]> events;
    /** Callbacks that name only their provider request, keyed {@code <provider>:<requestId>}. */
    final TestInputTopic<String, byte[]> callbacks;
    final TestOutputTopic<String, StatusChange> status;
    final TestOutputTopic<String, RejectedEvent> rejected;
    /** Everything written to the log: what the tests sent, and what the topology wrote back. */
    final TestOutputTopic<String, JobEvent> log;
    /** Claims of provider requests, keyed {@code <provider>:<requestId>}, valued by the job. */
    final TestOutputTopic<String, String> requests;

    TopologyHarness(Instant wallClock) {
        this(wallClock, JobLimits.DEFAULTS);
    }

    /** The topology with these limits on states and records. */
    TopologyHarness(Instant wallClock, JobLimits limits) {
        this(wallClock, limits, JobTopology.Mode.LIVE, Set.of());
    }

    /** The topology run as the service or as a rebuild, with the records a live run refused for its limits. */
    TopologyHarness(Instant wallClock, JobLimits limits, JobTopology.Mode mode, Set<String> refusedLive) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "topology-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        try {
            props.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("topology-test").toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        driver = new TopologyTestDriver(JobTopology.build(DEADLINE_CHECK, mode, limits, refusedLive), props, wallClock);
        events = driver.createInputTopic(Topics.JOB_EVENTS.name(), Serdes.String().serializer(), Serdes.ByteArray().serializer());
        callbacks = driver.createInputTopic(Topics.PROVIDER_CALLBACKS.name(), Serdes.String().serializer(), Serdes.ByteArray().serializer());
        status = driver.createOutputTopic(Topics.JOB_STATUS.name(), Serdes.String().deserializer(),
                Topics.JOB_STATUS.valueSerde().deserializer());
        rejected = driver.createOutputTopic(Topics.JOB_EVENTS_REJECTED.name(), Serdes.String().deserializer(),
                Topics.JOB_EVENTS_REJECTED.valueSerde().deserializer());
        log = driver.createOutputTopic(Topics.JOB_EVENTS.name(), Serdes.String().deserializer(),
                Topics.JOB_EVENTS.valueSerde().deserializer());
        requests = driver.createOutputTopic(Topics.PROVIDER_REQUESTS.name(), Serdes.String().deserializer(),
                Serdes.String().deserializer());
    }

    void send(JobEvent event) {
        events.pipeInput(event.jobId(), JobJson.write(event));
    }

    void send(List<? extends JobEvent> events) {
        events.forEach(this::send);
    }

    JobState state(String jobId) {
        return states().get(jobId);
    }

    KeyValueStore<String, JobState> states() {
        return driver.getKeyValueStore(StateStores.JOB_STATE);
    }

    /** The deadline index's entries, in index order. */
    List<KeyValue<String, String>> deadlines() {
        List<KeyValue<String, String>> entries = new ArrayList<>();
        try (KeyValueIterator<String, String> all = driver.<String, String>getKeyValueStore(StateStores.JOB_DEADLINES).all()) {
            all.forEachRemaining(entries::add);
        }
        return entries;
    }

    /** Forgets everything the outputs hold so far. */
    void drain() {
        status.readValuesToList();
        rejected.readValuesToList();
        log.readValuesToList();
        requests.readValuesToList();
    }

    @Override
    public void close() {
        driver.close();
    }
}
