package io.jobpulse.notifications;

import io.jobpulse.events.Delivery;
import io.jobpulse.events.DeliveryReport;
import io.jobpulse.events.Endpoint;
import io.jobpulse.events.EndpointChange;
import io.jobpulse.events.EndpointFilter;
import io.jobpulse.events.EventSource;
import io.jobpulse.events.Topics;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The scheduler's rules on the topology alone, with a sender whose answers the test gives and
 * the wall clock moved by hand: order within a job, the retry schedule, giving up, 410, pausing.
 * (A restart, with the store restored from Kafka, is {@code NotificationsRestartTest}'s, in app.)
 */
class DeliverySchedulerTest {

    private static final Instant START = Instant.parse("2026-12-01T00:00:00Z");

    /** A sender that records what it was asked to send and answers when the test says. */
    static final class Recorder extends WebhookSender {
        final List<Delivery> sent = new ArrayList<>();
        final List<CompletableFuture<Attempt>> answers = new ArrayList<>();

        Recorder() {
            super(null, Duration.ofSeconds(1), 100);
        }

        @Override
        CompletableFuture<Attempt> send(Endpoint endpoint, Delivery delivery, Instant now) {
            sent.add(delivery);
            CompletableFuture<Attempt> answer = new CompletableFuture<>();
            answers.add(answer);
            return answer;
        }

        void answerLast(Integer status) {
            answers.getLast().complete(new Attempt(status, null, status == null ? "connection refused" : null));
        }
    }

    private final Recorder sender = new Recorder();
    private final MovableClock clock = new MovableClock();
    private TopologyTestDriver driver;
    private TestInputTopic<String, EndpointChange> endpoints;
    private TestInputTopic<String, Delivery> deliveries;
    private TestOutputTopic<String, DeliveryReport> log;
    @BeforeEach
    void start() throws Exception {
        NotificationsConfiguration config = new NotificationsConfiguration("test", List.of(Duration.ZERO, Duration.ofSeconds(5),
                Duration.ofSeconds(30)), Duration.ofSeconds(1), Duration.ofHours(1), Duration.ofHours(1), true, List.of(), 10, 4,
                Duration.ofMillis(20), 50, 100, Duration.ZERO, Map.of());
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "scheduler-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("scheduler-test").toString());
        driver = new TopologyTestDriver(DeliveryTopology.build(config, sender, clock, DeliveryOutcomes.NONE), props, START);
        endpoints = driver.createInputTopic(Topics.ENDPOINTS.name(), Topics.ENDPOINTS.keySerde().serializer(), Topics.ENDPOINTS.valueSerde().serializer());
        deliveries = driver.createInputTopic(Topics.DELIVERIES.name(), Topics.DELIVERIES.keySerde().serializer(),
                Topics.DELIVERIES.valueSerde().serializer());
        log = driver.createOutputTopic(Topics.DELIVERY_LOG.name(), Topics.DELIVERY_LOG.keySerde().deserializer(),
                Topics.DELIVERY_LOG.valueSerde().deserializer());
        endpoints.pipeInput("ep1", change(Endpoint.ACTIVE, 1));
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    private static EndpointChange change(String status, long version) {
        Endpoint endpoint = new Endpoint("ep1", "alice", "https://example.com/hook", null, EndpointFilter.ALL, status,
                List.of(new Endpoint.Secret(Signatures.newSecret(), START, null)), version, START, START);
        return new EndpointChange("endpoint.updated", EventSource.user("alice"), endpoint, START);
    }

    private static Delivery delivery(String job, long version) {
        return new Delivery(FanOut.id("ep1", job, version), "ep1", job, version, "job.updated", "{}", START, false);
    }

    private void tick(Duration later) {
        clock.now = clock.now.plus(later);
        driver.advanceWallClockTime(later);
    }

    private List<String> statuses() {
        return log.readValuesToList().stream().map(r -> r.delivery().jobId() + "/v" + r.delivery().version() + " " + r.status()).toList();
    }

    @Test
    void aJobsNextChangeWaitsForTheOneBeforeButOtherJobsDoNot() {
        deliveries.pipeInput("ep1", delivery("j1", 1));
        deliveries.pipeInput("ep1", delivery("j1", 2));
        deliveries.pipeInput("ep1", delivery("j2", 1));
        tick(Duration.ofMillis(20));
        assertThat(sender.sent.stream().map(d -> d.jobId() + "/v" + d.version())).containsExactlyInAnyOrder("j1/v1", "j2/v1");

        sender.answers.getFirst().complete(new Attempt(200, null, null));
        tick(Duration.ofMillis(20));
        tick(Duration.ofMillis(20));
        assertThat(sender.sent.stream().map(d -> d.jobId() + "/v" + d.version())).containsExactly("j1/v1", "j2/v1", "j1/v2");
        assertThat(statuses()).contains("j1/v1 delivered").doesNotContain("j1/v2 delivered");
    }

    @Test
    void failuresAreRetriedOnTheScheduleThenGivenUp() {
        deliveries.pipeInput("ep1", delivery("j1", 1));
        tick(Duration.ofMillis(20));
        sender.answerLast(500);
        tick(Duration.ofMillis(20));
        tick(Duration.ofSeconds(4));
        assertThat(sender.sent).as("the second attempt waits about 5 s").hasSize(1);
        tick(Duration.ofSeconds(2));
        assertThat(sender.sent).hasSize(2);
        sender.answerLast(null);
        tick(Duration.ofMillis(20));
        tick(Duration.ofSeconds(34));
        assertThat(sender.sent).hasSize(3);
        sender.answerLast(503);
        tick(Duration.ofMillis(20));
        assertThat(statuses()).containsExactly("j1/v1 pending", "j1/v1 retrying", "j1/v1 retrying", "j1/v1 failed");
        tick(Duration.ofHours(1));
        assertThat(sender.sent).as("given up after three attempts").hasSize(3);
    }

    @Test
    void goneDisablesTheEndpointUntilItsNextVersion() {
        deliveries.pipeInput("ep1", delivery("j1", 1));
        deliveries.pipeInput("ep1", delivery("j2", 1));
        tick(Duration.ofMillis(20));
        sender.answers.getFirst().complete(new Attempt(410, null, null));
        sender.answers.get(1).complete(new Attempt(200, null, null));
        tick(Duration.ofMillis(20));
        deliveries.pipeInput("ep1", delivery("j3", 1));
        tick(Duration.ofMillis(20));
        assertThat(sender.sent).hasSize(2);
        List<DeliveryReport> reports = log.readValuesToList();
        assertThat(reports).anySatisfy(r -> assertThat(r.endpointDisabled()).isEqualTo("it answered 410 Gone"));
        assertThat(reports).anySatisfy(r -> {
            assertThat(r.delivery().jobId()).isEqualTo("j3");
            assertThat(r.status()).isEqualTo("failed");
            assertThat(r.error()).contains("disabled");
        });

        endpoints.pipeInput("ep1", change(Endpoint.ACTIVE, 2));
        deliveries.pipeInput("ep1", delivery("j4", 1));
        tick(Duration.ofMillis(20));
        assertThat(sender.sent.getLast().jobId()).isEqualTo("j4");
    }

    @Test
    void aPausedEndpointsDeliveriesWaitForItsResume() {
        endpoints.pipeInput("ep1", change(Endpoint.PAUSED, 2));
        deliveries.pipeInput("ep1", delivery("j1", 1));
        deliveries.pipeInput("ep1", delivery("j1", 2));
        tick(Duration.ofSeconds(5));
        assertThat(sender.sent).isEmpty();

        endpoints.pipeInput("ep1", change(Endpoint.ACTIVE, 3));
        tick(Duration.ofSeconds(3));
        assertThat(sender.sent.stream().map(Delivery::version)).containsExactly(1L);
        sender.answerLast(200);
        tick(Duration.ofMillis(20));
        tick(Duration.ofMillis(20));
        assertThat(sender.sent.stream().map(Delivery::version)).containsExactly(1L, 2L);
    }

    @Test
    void aDeliveryForAnEndpointNeverHeardOfWaitsAWhileThenFails() {
        Delivery stray = new Delivery(FanOut.id("ep9", "j1", 1), "ep9", "j1", 1, "job.updated", "{}", START, false);
        deliveries.pipeInput("ep9", stray);
        tick(Duration.ofMinutes(5));
        assertThat(statuses()).containsExactly("j1/v1 pending");
        tick(Duration.ofMinutes(6));
        assertThat(log.readValuesToList()).singleElement().satisfies(r -> {
            assertThat(r.status()).isEqualTo("failed");
            assertThat(r.error()).contains("no such endpoint");
        });
        assertThat(sender.sent).isEmpty();
    }

    /** A clock the test moves with the driver's wall clock. */
    static final class MovableClock extends Clock {
        Instant now = START;

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
