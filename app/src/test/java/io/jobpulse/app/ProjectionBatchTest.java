package io.jobpulse.app;

import io.jobpulse.events.StatusChange;
import io.jobpulse.projections.JobProjectionWriter;
import io.jobpulse.projections.ProjectionRebuild;
import io.jobpulse.projections.ProjectionTables;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The projector's batches against the real PostgreSQL, for what writing a batch as one statement
 * per table (rows as arrays, the jobs upsert fed only each job's newest change) must keep: a batch
 * holding several changes of one job, in any order and repeated, ends at the highest version with
 * every change once in the history; a batch redelivered after a crash (in whole, in part, or older
 * than what is written) changes nothing; tags and change lists come back as they went, whatever
 * their characters.
 */
class ProjectionBatchTest {

    /** Tables of the test's own, made like the live ones: its rows are on no topic, and a rebuild must not see them. */
    private static final ProjectionTables TABLES = new ProjectionTables("jobs_batch_test", "job_changes_batch_test");

    private static JobpulseInstance instance;
    private static JobProjectionWriter projection;

    @BeforeAll
    static void start() throws Exception {
        // The writer alone: no live projector consuming beside the test.
        instance = JobpulseInstance.start(Map.of("jobpulse.roles", "projections", ProjectionRebuild.PROJECTORS_ENABLED, "false"));
        projection = instance.context().getBean(JobProjectionWriter.class);
        sql("DROP TABLE IF EXISTS " + TABLES.jobs() + ", " + TABLES.changes(),
                "CREATE TABLE " + TABLES.jobs() + " (LIKE jobs INCLUDING ALL)",
                "CREATE TABLE " + TABLES.changes() + " (LIKE job_changes INCLUDING ALL)");
    }

    @AfterAll
    static void stop() throws Exception {
        sql("DROP TABLE " + TABLES.jobs() + ", " + TABLES.changes());
        instance.close();
    }

    private static void sql(String... statements) throws Exception {
        try (Connection db = TestStack.get().connect(); Statement statement = db.createStatement()) {
            for (String each : statements) {
                statement.execute(each);
            }
        }
    }

    private static void write(List<StatusChange> changes) {
        projection.write(changes, TABLES);
    }

    @Test
    void aBatchWithRepeatedAndOutOfOrderVersionsEndsAtTheHighestAndKeepsEveryChangeOnce() throws Exception {
        List<StatusChange> job = StatusChanges.ofNewJob(JobpulseInstance.USER, "x.batch", List.of("a"));
        List<StatusChange> other = StatusChanges.ofNewJob(JobpulseInstance.USER, "x.batch", List.of());

        write(List.of(job.get(2), other.get(0), job.get(0), job.get(3), job.get(1), job.get(2), other.get(1), job.get(3)));

        assertThat(jobRow(job.getFirst().jobId())).isEqualTo(List.of(String.valueOf(job.get(3).version()), "succeeded"));
        assertThat(history(job.getFirst().jobId())).isEqualTo(versions(job));
        assertThat(jobRow(other.getFirst().jobId())).isEqualTo(List.of(String.valueOf(other.get(1).version()), "running"));
        assertThat(history(other.getFirst().jobId())).isEqualTo(versions(other.subList(0, 2)));
    }

    @Test
    void aBatchWrittenBeforeACrashAndRedeliveredChangesNothing() throws Exception {
        List<StatusChange> job = StatusChanges.ofNewJob(JobpulseInstance.USER, "x.batch", List.of());
        String id = job.getFirst().jobId();
        write(job.subList(0, 2));

        // The offsets of that batch were never committed: it comes again, with what followed it.
        write(job.subList(0, 3));
        assertThat(jobRow(id)).isEqualTo(List.of(String.valueOf(job.get(2).version()), "running"));
        assertThat(history(id)).isEqualTo(versions(job.subList(0, 3)));

        write(job);
        List<String> snapshot = snapshotAndUpdated(id);
        write(job);
        write(job.subList(0, 2));

        assertThat(jobRow(id)).isEqualTo(List.of(String.valueOf(job.get(3).version()), "succeeded"));
        assertThat(snapshotAndUpdated(id)).isEqualTo(snapshot);
        assertThat(history(id)).isEqualTo(versions(job));
    }

    @Test
    void tagsAndChangedFieldsComeBackAsTheyWent() throws Exception {
        List<String> tags = List.of("plain", "with,comma", "with \"quotes\"", "back\\slash", "{braces}", "NULL", "", "spaced out", "ünï");
        List<StatusChange> job = StatusChanges.ofNewJob(JobpulseInstance.USER, "x.batch", tags);

        write(job);

        try (Connection db = TestStack.get().connect();
             PreparedStatement statement = db.prepareStatement("SELECT tags FROM " + TABLES.jobs() + " WHERE id = ?")) {
            statement.setString(1, job.getFirst().jobId());
            try (ResultSet row = statement.executeQuery()) {
                row.next();
                assertThat(Arrays.asList((Object[]) row.getArray(1).getArray())).isEqualTo(tags);
            }
        }
        try (Connection db = TestStack.get().connect();
             PreparedStatement statement = db.prepareStatement("SELECT changed, previous_status, at FROM " + TABLES.changes() + " WHERE job_id = ? ORDER BY version")) {
            statement.setString(1, job.getFirst().jobId());
            try (ResultSet rows = statement.executeQuery()) {
                for (StatusChange change : job) {
                    rows.next();
                    assertThat(Arrays.asList((Object[]) rows.getArray(1).getArray())).isEqualTo(change.changed());
                    assertThat(rows.getString(2)).isEqualTo(change.previousStatus() == null ? null : change.previousStatus().wireName());
                    // PostgreSQL keeps microseconds.
                    assertThat(Duration.between(rows.getTimestamp(3).toInstant(), change.at()).abs()).isLessThan(Duration.ofNanos(1_000));
                }
            }
        }
    }

    private static List<Long> versions(List<StatusChange> changes) {
        return changes.stream().map(StatusChange::version).sorted().toList();
    }

    private static List<String> jobRow(String id) throws Exception {
        return row("SELECT version::text, status FROM " + TABLES.jobs() + " WHERE id = ?", id);
    }

    private static List<String> snapshotAndUpdated(String id) throws Exception {
        return row("SELECT snapshot::text, updated_at::text FROM " + TABLES.jobs() + " WHERE id = ?", id);
    }

    private static List<String> row(String sql, String id) throws Exception {
        try (Connection db = TestStack.get().connect(); PreparedStatement statement = db.prepareStatement(sql)) {
            statement.setString(1, id);
            try (ResultSet row = statement.executeQuery()) {
                assertThat(row.next()).as("a row for job %s", id).isTrue();
                return List.of(row.getString(1), row.getString(2));
            }
        }
    }

    private static List<Long> history(String id) throws Exception {
        try (Connection db = TestStack.get().connect();
             PreparedStatement statement = db.prepareStatement("SELECT version FROM " + TABLES.changes() + " WHERE job_id = ? ORDER BY version")) {
            statement.setString(1, id);
            List<Long> versions = new ArrayList<>();
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    versions.add(rows.getLong(1));
                }
            }
            return versions;
        }
    }
}
