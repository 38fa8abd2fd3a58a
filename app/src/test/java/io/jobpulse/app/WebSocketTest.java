package io.jobpulse.app;

import com.fasterxml.jackson.databind.JsonNode;
import io.jobpulse.events.StatusChange;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;

import static io.jobpulse.app.SliceEndToEndTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code /v1/ws} against the real broker: subscribe, unsubscribe, filters and their resets, ends, errors, keepalive. */
class WebSocketTest {

    private static JobpulseInstance jobpulse;

    @BeforeAll
    static void start() {
        jobpulse = JobpulseInstance.start(Map.of("jobpulse.push.heartbeat", "300ms"));
    }

    @AfterAll
    static void stop() {
        jobpulse.close();
    }

    private static Predicate<JsonNode> is(String type, String id) {
        return m -> m.path("type").asText().equals(type) && m.path("id").asText().equals(id);
    }

    private static String newJob() {
        return json(jobpulse.post("/v1/jobs", "{\"type\":\"x.ws\"}")).get("id").asText();
    }

    @Test
    void subscribesToAJobUntilUnsubscribedAndNothingArrivesAfter() {
        String job = newJob();
        String sentinel = newJob();
        try (SocketClient client = new SocketClient(jobpulse)) {
            client.send("{\"type\":\"subscribe\",\"id\":\"s1\",\"job\":\"" + job + "\"}");
            client.awaitMessage(is("subscribed", "s1"));
            await().atMost(Duration.ofSeconds(20)).until(() -> client.updatesOf("s1").size() == 1);
            jobpulse.post("/v1/jobs/" + job + "/reports", "{\"status\":\"running\",\"progress\":0.3}");
            await().atMost(Duration.ofSeconds(20)).until(() -> client.updatesOf("s1").size() == 2);

            client.send("{\"type\":\"unsubscribe\",\"id\":\"s1\"}");
            client.awaitMessage(is("unsubscribed", "s1"));
            jobpulse.post("/v1/jobs/" + job + "/reports", "{\"progress\":0.6}");
            client.send("{\"type\":\"subscribe\",\"id\":\"s2\",\"job\":\"" + sentinel + "\",\"lastVersion\":1}");
            client.awaitMessage(is("subscribed", "s2"));
            jobpulse.post("/v1/jobs/" + sentinel + "/reports", "{\"status\":\"running\"}");
            await().atMost(Duration.ofSeconds(20)).until(() -> client.updatesOf("s2").size() == 1);

            assertThat(client.updatesOf("s1")).extracting(m -> m.get("eventId").asText()).containsExactly("1", "2");
            assertThat(client.updatesOf("s1").getFirst().at("/update/snapshot").asBoolean()).isTrue();
            assertThat(client.updatesOf("s1").get(1).get("event").asText()).isEqualTo("status");
            assertThat(client.updatesOf("s2")).extracting(m -> m.get("eventId").asText()).containsExactly("2");
        }
    }

    @Test
    void aJobSubscriptionEndsAfterTheTerminalState() {
        String job = newJob();
        try (SocketClient client = new SocketClient(jobpulse)) {
            client.send("{\"type\":\"subscribe\",\"id\":\"j\",\"job\":\"" + job + "\"}");
            client.awaitMessage(is("subscribed", "j"));
            jobpulse.post("/v1/jobs/" + job + "/reports", "{\"status\":\"succeeded\"}");

            client.awaitMessage(is("end", "j"));
            assertThat(client.updatesOf("j").getLast().at("/update/status").asText()).isEqualTo("succeeded");
        }
    }

    @Test
    void aFilterSubscriptionGetsTheCallersMatchingJobsWithResumableIds() {
        String tag = "t-" + UUID.randomUUID().toString().substring(0, 8);
        List<StatusChange> matching = StatusChanges.ofNewJob(JobpulseInstance.USER, "x.ws", List.of(tag));
        try (StatusChanges changes = new StatusChanges(); SocketClient client = new SocketClient(jobpulse)) {
            client.send("{\"type\":\"subscribe\",\"id\":\"f\",\"filter\":{\"tag\":\"" + tag + "\",\"statuses\":[\"running\"]}}");
            JsonNode subscribed = client.awaitMessage(is("subscribed", "f"));
            assertThat(subscribed.get("eventId").asText()).isNotBlank();
            changes.send(StatusChanges.ofNewJob(JobpulseInstance.USER, "x.ws", List.of("other")).get(1));
            matching.forEach(changes::send);

            await().atMost(Duration.ofSeconds(20)).until(() -> client.updatesOf("f").size() == 3);
            assertThat(client.updatesOf("f")).extracting(m -> m.at("/update/version").asLong())
                    .as("running at 20%, 60%, and the change that left running").containsExactly(2L, 3L, 4L);
        }
    }

    @Test
    void aFilterSubscriptionWithACursorThatIsNoPositionStartsWithAReset() {
        String tag = "t-" + UUID.randomUUID().toString().substring(0, 8);
        List<StatusChange> matching = StatusChanges.ofNewJob(JobpulseInstance.USER, "x.ws", List.of(tag));
        try (StatusChanges changes = new StatusChanges(); SocketClient client = new SocketClient(jobpulse)) {
            client.send("{\"type\":\"subscribe\",\"id\":\"r\",\"filter\":{\"tag\":\"" + tag + "\"},\"cursor\":\"bogus\"}");
            JsonNode subscribed = client.awaitMessage(is("subscribed", "r"));
            assertThat(subscribed.get("reset").asBoolean()).isTrue();
            assertThat(subscribed.get("eventId").asText()).isNotBlank();
            changes.send(matching.getFirst());

            await().atMost(Duration.ofSeconds(20)).until(() -> client.updatesOf("r").size() == 1);
        }
    }

    @Test
    void badMessagesGetProblemsAndTheConnectionStays() {
        try (SocketClient client = new SocketClient(jobpulse)) {
            client.send("{not json");
            client.awaitMessage(m -> m.path("type").asText().equals("error") && m.at("/problem/type").asText().endsWith("/malformed-json"));
            client.send("{\"type\":\"subscribe\",\"id\":\"x\",\"job\":\"no-such-job\"}");
            client.awaitMessage(m -> is("error", "x").test(m) && m.at("/problem/status").asInt() == 404);
            client.send("{\"type\":\"subscribe\",\"id\":\"v\",\"job\":\"no-such-job\",\"lastVersion\":\"bogus\"}");
            client.awaitMessage(m -> is("error", "v").test(m) && m.at("/problem/status").asInt() == 400
                    && m.at("/problem/field").asText().equals("lastVersion"));
            client.send("{\"type\":\"teleport\",\"id\":\"y\"}");
            client.awaitMessage(m -> is("error", "y").test(m) && m.at("/problem/status").asInt() == 400);
            client.send("{\"type\":\"ping\",\"id\":\"p\"}");
            client.awaitMessage(is("pong", "p"));
        }
    }

    @Test
    void theServerPingsAnIdleSocket() {
        try (SocketClient client = new SocketClient(jobpulse)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> client.pings.size() >= 2);
        }
    }
}
