package io.jobpulse.projections;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.jdbc.runtime.JdbcOperations;

import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;

/**
 * The query of every list of the read model (jobs, a batch's jobs, batches): an owner's rows under
 * a filter, newest first by (time, id), one keyset page after a {@link PageCursor}. Each list has an
 * index on (owner, [filtered column,] time DESC, id DESC), so a page reads only its own rows however
 * deep it is.
 *
 * @param columns    the columns selected, as the list's row record maps them
 * @param table      the table
 * @param timeColumn the time the list is ordered by and its cursor names
 */
record NewestFirst(String columns, String table, String timeColumn) {

    /** The SQL of one page, with its parameters. */
    Condition page(Condition where, @Nullable PageCursor after, int limit) {
        Condition paged = after == null ? where : where.and("(" + timeColumn + ", id) < (?, ?)", after.at(), after.id());
        List<Object> params = new ArrayList<>(paged.params());
        params.add(limit);
        return new Condition("SELECT " + columns + " FROM " + table + " WHERE " + paged.sql()
                + " ORDER BY " + timeColumn + " DESC, id DESC LIMIT ?", params);
    }

    /** One page's rows, mapped by Micronaut Data to the list's row record. */
    <T> List<T> rows(JdbcOperations jdbc, Condition where, @Nullable PageCursor after, int limit, Class<T> type) {
        Condition query = page(where, after, limit);
        return jdbc.prepareStatement(query.sql(), statement -> {
            query.bind(statement);
            try (ResultSet rows = statement.executeQuery()) {
                return jdbc.entityStream(rows, type).toList();
            }
        });
    }

    /** How many rows match, whatever the page. */
    long count(JdbcOperations jdbc, Condition where) {
        return jdbc.prepareStatement("SELECT count(*) FROM " + table + " WHERE " + where.sql(), statement -> {
            where.bind(statement);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        });
    }
}
