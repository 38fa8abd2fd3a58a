package io.jobpulse.app;

import io.jobpulse.devstack.EmbeddedPostgresServer;
import io.jobpulse.events.StatusChange;
import io.jobpulse.events.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The projector keeps going through a PostgreSQL restart: changes that arrive while the database
 * is down are held back (its lag shows them), and written once it is back; none is lost. The
 * projector runs against a PostgreSQL of its own, which the test stops and starts again.
 */
class ProjectorRestartTest {

    @Test
    void projectsEveryChangeThroughADatabaseRestart(@TempDir Path data) throws Exception {
        EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start(data.resolve("postgres"), 0, false);
        int port = postgres.port();
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        List<StatusChange> changes = changes(5);
        try (StatusChanges producer = new StatusChanges();
             JobpulseInstance projector = JobpulseInstance.start(Map.of(
                     "jobpulse.roles", "projections",
                     "datasources.default.url", postgres.jdbcUrl(),
                     "datasources.default.username", EmbeddedPostgresServer.USER,
                     "datasources.default.password", postgres.password(),
                     "jobpulse.projections.group-id", "restart-test-" + suffix,
                     "jobpulse.projections.events-group-id", "restart-test-events-" + suffix))) {
            String url = postgres.jdbcUrl();
            String password = postgres.password();
            // A fresh group reads the topic from its start, other tests' changes included: count ours.
            String ours = changes.stream().map(c -> "'" + c.jobId() + "'").distinct().collect(Collectors.joining(","));
            MeterRegistry metrics = projector.context().getBean(MeterRegistry.class);
            for (StatusChange change : changes.subList(0, 10)) {
                producer.send(change);
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> count(url, password, "SELECT count(*) FROM job_changes WHERE job_id IN (" + ours + ")") == 10);

            postgres.close();
            for (StatusChange change : changes.subList(10, changes.size())) {
                producer.send(change);
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> lag(metrics, suffix) >= 1);

            postgres = EmbeddedPostgresServer.start(data.resolve("postgres"), port, false);
            await().atMost(Duration.ofSeconds(90)).until(() -> count(url, password, "SELECT count(*) FROM job_changes WHERE job_id IN (" + ours + ")") == changes.size());

            assertThat(count(url, password, "SELECT count(*) FROM jobs WHERE version = 4 AND status = 'succeeded' AND id IN (" + ours + ")")).isEqualTo(5);
            await().atMost(Duration.ofSeconds(10)).until(() -> lag(metrics, suffix) == 0);
            assertThat(projector.get("/v1/jobs").statusCode()).isEqualTo(200);
        } finally {
            postgres.close();
        }
    }

    private static double lag(MeterRegistry metrics, String suffix) {
        var gauge = metrics.find(ConsumerGroupLagMetrics.METRIC).tags("group", "restart-test-" + suffix, "topic", Topics.JOB_STATUS_NAME).gauge();
        return gauge == null ? 0 : gauge.value();
    }

    private static long count(String url, String password, String sql) {
        try (Connection db = DriverManager.getConnection(url, EmbeddedPostgresServer.USER, password);
             ResultSet result = db.createStatement().executeQuery(sql)) {
            result.next();
            return result.getLong(1);
        } catch (Exception e) {
            return -1;
        }
    }

    /** Four changes per job, interleaved job by job. */
    private static List<StatusChange> changes(int jobs) {
        List<List<StatusChange>> perJob = new ArrayList<>();
        for (int j = 0; j < jobs; j++) {
            perJob.add(StatusChanges.ofNewJob(JobpulseInstance.USER, "x.restart", List.of()));
        }
        List<StatusChange> interleaved = new ArrayList<>();
        for (int version = 0; version < 4; version++) {
            for (List<StatusChange> job : perJob) {
                interleaved.add(job.get(version));
            }
        }
        return interleaved;
    }
}
