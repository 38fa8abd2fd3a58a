package io.jobpulse.projections;

import io.jobpulse.events.KafkaSettings;
import io.jobpulse.events.Roles;
import io.jobpulse.events.StatusChange;
import io.jobpulse.events.Topics;
import io.micronaut.context.annotation.Property;
import io.micronaut.context.annotation.Requires;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Singleton;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Rebuilds the read model ({@code jobs}, {@code job_changes}) from {@code jobpulse.job-status}
 * beside the live tables, which keep serving, then swaps them in.
 *
 * <ol>
 *   <li>Fresh tables {@code jobs_rebuild} and {@code job_changes_rebuild} are made like the live
 *       ones (columns, constraints, primary key) and filled from the start of the topic to its
 *       end, in batches, by the projector's own writer; then the live tables' other indexes are
 *       built on them, once over the filled tables (much cheaper than keeping them up row by row).</li>
 *   <li>In one transaction, holding the projection lock exclusively (so no live write is in
 *       flight), the rebuild reads on to the topic's new end, compares row counts and checksums of
 *       rebuilt and live, and renames the rebuilt tables (and their indexes) into place. The live
 *       projector's next batch waits for the lock and then writes to the new tables; it may
 *       repeat changes the rebuild already wrote, which the version guard ignores.</li>
 * </ol>
 * A rebuild can only hold what the topic still holds ({@code status-retention}): if live has
 * jobs that the rebuild lacks, it does not swap unless forced.
 */
@Singleton
@Requires(property = Roles.PROPERTY, pattern = Roles.PROJECTIONS)
public class ProjectionRebuild {

    /** Off in a process that only rebuilds ({@code jobpulse replay projections}): it must not consume as a live projector. */
    public static final String PROJECTORS_ENABLED = "jobpulse.projections.projectors-enabled";

    /** Records per poll and per write: large, since a batch's repeated jobs cost one upsert and a batch one commit. */
    private static final int BATCH = 20_000;
    private static final String CHECKSUM = "SELECT count(*), coalesce(md5(string_agg(%s || ':' || version, ',' ORDER BY %s, version)), '') FROM %s";

    /**
     * What a rebuild did.
     *
     * @param records      records of {@code jobpulse.job-status} read
     * @param jobs         rows of the rebuilt jobs table
     * @param changes      rows of the rebuilt changes table
     * @param rebuilt      checksum of the rebuilt tables (jobs, then changes)
     * @param live         checksum of the live tables just before the swap
     * @param missingJobs  jobs the live table has and the rebuild lacks
     * @param swapped      whether the rebuilt tables replaced the live ones
     */
    public record Report(long records, long jobs, long changes, String rebuilt, String live, long missingJobs,
                         boolean swapped, Duration took) {

        public boolean matches() {
            return rebuilt.equals(live);
        }
    }

    private final JobProjectionWriter writer;
    private final TransactionOperations<Connection> transactions;
    private final String bootstrapServers;

    public ProjectionRebuild(JobProjectionWriter writer, TransactionOperations<Connection> transactions,
                             @Property(name = KafkaSettings.BOOTSTRAP_SERVERS) String bootstrapServers) {
        this.writer = writer;
        this.transactions = transactions;
        this.bootstrapServers = bootstrapServers;
    }

    public Report run(boolean force) {
        long started = System.nanoTime();
        List<String> deferred = transactions.executeWrite(status -> {
            List<String> indexes = new ArrayList<>(createLike(status.getConnection(), ProjectionTables.LIVE.jobs(), ProjectionTables.REBUILD.jobs()));
            indexes.addAll(createLike(status.getConnection(), ProjectionTables.LIVE.changes(), ProjectionTables.REBUILD.changes()));
            return indexes;
        });
        try (KafkaConsumer<String, byte[]> consumer = consumer()) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.JOB_STATUS.name()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long read = copyToEnd(consumer, partitions);
            // Built once over the filled tables, rather than kept up row by row while they fill.
            transactions.executeWrite(status -> {
                for (String index : deferred) {
                    ProjectionTables.execute(status.getConnection(), index);
                }
                return null;
            });
            return transactions.executeWrite(status -> {
                Connection connection = status.getConnection();
                ProjectionTables.lockExclusive(connection);
                long total = read + copyToEnd(consumer, partitions);
                String rebuilt = checksum(connection, ProjectionTables.REBUILD);
                String live = checksum(connection, ProjectionTables.LIVE);
                long missing = count(connection, "SELECT count(*) FROM jobs l WHERE NOT EXISTS (SELECT 1 FROM jobs_rebuild r WHERE r.id = l.id)");
                long jobs = count(connection, "SELECT count(*) FROM jobs_rebuild");
                long changes = count(connection, "SELECT count(*) FROM job_changes_rebuild");
                boolean swap = missing == 0 || force;
                if (swap) {
                    swap(connection, ProjectionTables.LIVE.jobs(), ProjectionTables.REBUILD.jobs());
                    swap(connection, ProjectionTables.LIVE.changes(), ProjectionTables.REBUILD.changes());
                }
                return new Report(total, jobs, changes, rebuilt, live, missing, swap, Duration.ofNanos(System.nanoTime() - started));
            });
        }
    }

    /** Reads from the consumer's positions to the partitions' current ends, writing batches to the rebuild tables. */
    private long copyToEnd(KafkaConsumer<String, byte[]> consumer, List<TopicPartition> partitions) {
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
        long read = 0;
        while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
            List<StatusChange> batch = new ArrayList<>();
            for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                read++;
                // The live projector skips these too.
                Topics.JOB_STATUS.decodeOrSkip(record.value(), record.partition(), record.offset()).ifPresent(batch::add);
                if (batch.size() == BATCH) {
                    writer.write(batch, ProjectionTables.REBUILD);
                    batch.clear();
                }
            }
            writer.write(batch, ProjectionTables.REBUILD);
        }
        return read;
    }

    private KafkaConsumer<String, byte[]> consumer() {
        return new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, BATCH,
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 32 << 20), new StringDeserializer(), new ByteArrayDeserializer());
    }

    /**
     * An empty table like the live one: its columns, defaults and checks, and its primary key (which
     * the writer's upserts need) under the key's name + {@code _rebuild}. Returns the statements
     * that make its other indexes, likewise renamed, to run once the table is filled.
     */
    private static List<String> createLike(Connection connection, String live, String rebuild) throws SQLException {
        ProjectionTables.execute(connection, "DROP TABLE IF EXISTS " + rebuild);
        ProjectionTables.execute(connection, "CREATE TABLE " + rebuild + " (LIKE " + live
                + " INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING GENERATED)");
        List<String> deferred = new ArrayList<>();
        for (Map.Entry<String, IndexDefinition> index : indexes(connection, live).entrySet()) {
            String name = index.getKey();
            String definition = index.getValue().sql()
                    .replaceFirst("INDEX " + name + " ON ", "INDEX " + name + "_rebuild ON ")
                    .replaceFirst(" ON (\\S+\\.)?" + live + " USING ", " ON $1" + rebuild + " USING ");
            if (index.getValue().primaryKey()) {
                ProjectionTables.execute(connection, definition);
                ProjectionTables.execute(connection, "ALTER TABLE " + rebuild + " ADD CONSTRAINT " + name
                        + "_rebuild PRIMARY KEY USING INDEX " + name + "_rebuild");
            } else {
                deferred.add(definition);
            }
        }
        return deferred;
    }

    /** Puts the rebuilt table in the live one's place, indexes under their usual names. */
    private static void swap(Connection connection, String live, String rebuild) throws SQLException {
        Map<String, IndexDefinition> indexes = indexes(connection, live);
        ProjectionTables.execute(connection, "DROP TABLE " + live);
        ProjectionTables.execute(connection, "ALTER TABLE " + rebuild + " RENAME TO " + live);
        for (Map.Entry<String, IndexDefinition> index : indexes.entrySet()) {
            ProjectionTables.execute(connection, index.getValue().primaryKey()
                    ? "ALTER TABLE " + live + " RENAME CONSTRAINT " + index.getKey() + "_rebuild TO " + index.getKey()
                    : "ALTER INDEX " + index.getKey() + "_rebuild RENAME TO " + index.getKey());
        }
    }

    private record IndexDefinition(String sql, boolean primaryKey) {
    }

    private static Map<String, IndexDefinition> indexes(Connection connection, String table) throws SQLException {
        Map<String, IndexDefinition> indexes = new LinkedHashMap<>();
        try (Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("""
                     SELECT i.indexname, i.indexdef, c.contype IS NOT NULL
                     FROM pg_indexes i LEFT JOIN pg_constraint c ON c.conname = i.indexname AND c.contype = 'p'
                         AND c.conrelid = (quote_ident(i.schemaname) || '.' || quote_ident(i.tablename))::regclass
                     WHERE i.schemaname = current_schema() AND i.tablename = '%s' ORDER BY i.indexname""".formatted(table))) {
            while (rows.next()) {
                indexes.put(rows.getString(1), new IndexDefinition(rows.getString(2), rows.getBoolean(3)));
            }
        }
        return indexes;
    }

    private static String checksum(Connection connection, ProjectionTables tables) throws SQLException {
        return digest(connection, CHECKSUM.formatted("id", "id", tables.jobs())) + "/"
                + digest(connection, CHECKSUM.formatted("job_id", "job_id", tables.changes()));
    }

    private static String digest(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet row = statement.executeQuery(sql)) {
            row.next();
            return row.getLong(1) + ":" + row.getString(2);
        }
    }

    private static long count(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet row = statement.executeQuery(sql)) {
            row.next();
            return row.getLong(1);
        }
    }
}
