package io.jobpulse.projections;

import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.GenericRepository;

import java.util.List;

/** Queries of the {@code jobs} table. */
@JdbcRepository(dialect = Dialect.POSTGRES)
public interface JobRowRepository extends GenericRepository<JobRow, String> {

    @Query("""
            SELECT id, owner, type, status, version, created_at, snapshot::text AS snapshot
            FROM jobs
            WHERE owner = :owner
            ORDER BY created_at DESC, id DESC
            LIMIT :limit""")
    List<JobRow> newestFirst(String owner, int limit);
}
