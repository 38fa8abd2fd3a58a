package io.jobpulse.projections;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.jdbc.runtime.JdbcOperations;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.GenericRepository;
import io.micronaut.transaction.annotation.ReadOnly;

import java.util.List;
import java.util.Optional;

/** The queries of the batches' read model: one batch, and the list, built from {@link BatchFilter} like the job list. */
@JdbcRepository(dialect = Dialect.POSTGRES)
public abstract class BatchRowRepository implements GenericRepository<BatchRow, String> {

    private static final String BATCH_COLUMNS = "id, owner, status, version, opened_at, snapshot::text AS snapshot";
    private static final NewestFirst LIST = new NewestFirst(BATCH_COLUMNS, "batches", "opened_at");

    private final JdbcOperations jdbc;

    protected BatchRowRepository(JdbcOperations jdbc) {
        this.jdbc = jdbc;
    }

    @Query("SELECT " + BATCH_COLUMNS + " FROM batches WHERE id = :id")
    public abstract Optional<BatchRow> findById(String id);

    /** One page of the owner's batches under the filter, newest first, starting after the cursor. */
    @ReadOnly
    public List<BatchRow> newestFirst(String owner, BatchFilter filter, @Nullable PageCursor after, int limit) {
        return LIST.rows(jdbc, filter.where(owner), after, limit, BatchRow.class);
    }

    /** The SQL of {@link #newestFirst}, with its parameters (also for checking its plan). */
    public static Condition pageQuery(String owner, BatchFilter filter, @Nullable PageCursor after, int limit) {
        return LIST.page(filter.where(owner), after, limit);
    }

    /** How many of the owner's batches match the filter. */
    @ReadOnly
    public long count(String owner, BatchFilter filter) {
        return LIST.count(jdbc, filter.where(owner));
    }
}
