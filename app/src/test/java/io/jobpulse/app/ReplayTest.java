package io.jobpulse.app;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;

import static io.jobpulse.app.SliceEndToEndTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** {@code jobpulse replay projections} and {@code jobpulse replay topology} against the real broker and database. */
class ReplayTest {

    private static String replay(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ReplayCommand.run(args, JobpulseInstance.stackDeployment(), new PrintStream(out, true, StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8);
    }

    private static String submitAndFinish(JobpulseInstance jobpulse, String type) {
        String id = json(jobpulse.post("/v1/jobs", "{\"type\":\"" + type + "\"}")).get("id").asText();
        jobpulse.post("/v1/jobs/" + id + "/reports", "{\"status\":\"running\",\"progress\":0.5}");
        jobpulse.post("/v1/jobs/" + id + "/reports", "{\"status\":\"succeeded\"}");
        return id;
    }

    private static void sql(String statement) throws Exception {
        try (Connection db = TestStack.get().connect(); Statement s = db.createStatement()) {
            s.execute(statement);
        }
    }

    private static List<String> indexesOfJobs() throws Exception {
        try (Connection db = TestStack.get().connect(); Statement s = db.createStatement();
             ResultSet rows = s.executeQuery("SELECT indexname FROM pg_indexes WHERE tablename IN ('jobs', 'job_changes')")) {
            List<String> names = new ArrayList<>();
            while (rows.next()) {
                names.add(rows.getString(1));
            }
            return new ArrayList<>(new TreeSet<>(names));
        }
    }

    @Test
    void replayOfProjectionsRepairsADriftedReadModelAndSwapsWhileItServes() throws Exception {
        try (JobpulseInstance jobpulse = JobpulseInstance.allRoles()) {
            String drifted = submitAndFinish(jobpulse, "x.replay");
            String gap = submitAndFinish(jobpulse, "x.replay");
            await().atMost(Duration.ofSeconds(20)).until(() ->
                    json(jobpulse.get("/v1/jobs/" + gap + "/history")).path("changes").size() == 3
                            && json(jobpulse.get("/v1/jobs/" + drifted + "/history")).path("changes").size() == 3);
            List<String> indexes = indexesOfJobs();
            sql("UPDATE jobs SET status = 'failed' WHERE id = '" + drifted + "'");
            sql("DELETE FROM job_changes WHERE job_id = '" + gap + "' AND version = 2");

            String repaired = replay("projections");

            assertThat(repaired).contains("rebuilt and live differ", "swapped: the rebuilt tables are live");
            assertThat(json(jobpulse.get("/v1/jobs?type=x.replay&status=failed")).get("items")).isEmpty();
            assertThat(json(jobpulse.get("/v1/jobs/" + gap + "/history")).get("changes")).hasSize(3);
            assertThat(indexesOfJobs()).isEqualTo(indexes);
            assertThat(replay("projections")).contains("rebuilt and live are identical", "swapped");

            sql("INSERT INTO jobs (id, owner, type, status, progress, version, created_at, updated_at, snapshot) "
                    + "VALUES ('expired-from-topic', 'anonymous', 'x.replay', 'succeeded', 1, 3, now(), now(), '{}')");
            assertThat(replay("projections")).contains("NOT swapped", "1 jobs that jobpulse.job-status no longer holds");
            assertThat(replay("projections", "--force")).contains("swapped: the rebuilt tables are live");
            try (Connection db = TestStack.get().connect(); Statement s = db.createStatement();
                 ResultSet row = s.executeQuery("SELECT count(*) FROM jobs WHERE id = 'expired-from-topic'")) {
                row.next();
                assertThat(row.getLong(1)).isZero();
            }
        }
    }

    @Test
    void replayOfTheTopologyRebuildsTheSameStatesAndRefusesWhileItRuns() {
        Map<String, JsonNode> before = new LinkedHashMap<>();
        try (JobpulseInstance jobpulse = JobpulseInstance.allRoles()) {
            String expiring = json(jobpulse.post("/v1/jobs", "{\"type\":\"x.replay\",\"timeout\":\"PT1S\"}")).get("id").asText();
            String done = submitAndFinish(jobpulse, "x.replay");
            await().atMost(Duration.ofSeconds(20)).until(() ->
                    "expired".equals(json(jobpulse.get("/v1/jobs/" + expiring)).path("status").asText())
                            && json(jobpulse.get("/v1/jobs/" + done)).path("version").asInt() == 3);
            before.put(expiring, json(jobpulse.get("/v1/jobs/" + expiring)));
            before.put(done, json(jobpulse.get("/v1/jobs/" + done)));

            assertThatThrownBy(() -> replay("topology")).hasMessageContaining("stop every instance with the topology role");
        }

        String output = replay("topology");

        assertThat(output).contains("every rebuilt state equals the previous one");
        try (JobpulseInstance restarted = JobpulseInstance.allRoles()) {
            before.forEach((id, state) -> assertThat(json(restarted.get("/v1/jobs/" + id))).isEqualTo(state));
        }
    }

    /**
     * The rebuild commits in large transactions: one stopped half-way leaves its own partial state, and
     * the next replay starts again from the beginning, to exactly what the live fold had.
     */
    @Test
    void aReplayStoppedHalfWayAndRunAgainRebuildsWhatTheLiveFoldHad() throws Exception {
        Map<String, JsonNode> before = new LinkedHashMap<>();
        try (JobpulseInstance jobpulse = JobpulseInstance.allRoles()) {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                ids.add(submitAndFinish(jobpulse, "x.replay-stopped"));
            }
            await().atMost(Duration.ofSeconds(20)).until(() ->
                    ids.stream().allMatch(id -> json(jobpulse.get("/v1/jobs/" + id)).path("version").asInt() == 3));
            ids.forEach(id -> before.put(id, json(jobpulse.get("/v1/jobs/" + id))));
        }
        Thread first = new Thread(() -> {
            try {
                replay("topology");
            } catch (IllegalStateException stopped) {
                // Interrupted: what this test is about.
            }
        });
        first.start();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestStack.get().bootstrapServers))) {
            await().atMost(Duration.ofSeconds(60)).until(() -> !first.isAlive() || rebuilding(admin));
        }
        first.interrupt();
        first.join();

        assertThat(replay("topology")).contains("replayed");
        try (JobpulseInstance restarted = JobpulseInstance.allRoles()) {
            before.forEach((id, state) -> assertThat(json(restarted.get("/v1/jobs/" + id))).isEqualTo(state));
        }
    }

    /** Whether the topology's group has a member: the replay's rebuild is folding. */
    private static boolean rebuilding(Admin admin) {
        try {
            return !admin.describeConsumerGroups(List.of("jobpulse-topology")).describedGroups().get("jobpulse-topology").get()
                    .members().isEmpty();
        } catch (ExecutionException | InterruptedException e) {
            return false;
        }
    }
}
