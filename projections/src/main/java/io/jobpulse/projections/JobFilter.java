package io.jobpulse.projections;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What a job list is narrowed to, beyond its owner. Every part is optional; they combine with AND.
 *
 * @param statuses      any of these statuses (wire names); empty for all
 * @param types          this job type
 * @param tag           jobs carrying this tag
 * @param createdAfter  created strictly after
 * @param createdBefore created strictly before
 * @param updatedSince  changed at or after
 */
public record JobFilter(List<String> statuses, List<String> types, String tag, Instant createdAfter, Instant createdBefore,
                        Instant updatedSince) {

    public static final JobFilter NONE = new JobFilter(List.of(), List.of(), null, null, null, null);

    public JobFilter {
        statuses = statuses == null ? List.of() : List.copyOf(statuses);
        types = types == null ? List.of() : List.copyOf(types);
    }

    /**
     * The SQL condition for an owner's jobs under this filter, with its parameters in order.
     * Only the parts given appear, so every shape of the query is one the indexes of
     * {@code V2__filters_history_events.sql} serve.
     */
    public Condition where(String owner) {
        List<String> clauses = new ArrayList<>(List.of("owner = ?"));
        List<Object> params = new ArrayList<>(List.of(owner));
        if (!statuses.isEmpty()) {
            clauses.add("status = ANY(?)");
            params.add(statuses.toArray(String[]::new));
        }
        if (types.size() == 1) {
            clauses.add("type = ?");
            params.add(types.getFirst());
        } else if (!types.isEmpty()) {
            clauses.add("type = ANY(?)");
            params.add(types.toArray(String[]::new));
        }
        if (tag != null) {
            clauses.add("tags @> ?");
            params.add(new String[]{tag});
        }
        if (createdAfter != null) {
            clauses.add("created_at > ?");
            params.add(createdAfter);
        }
        if (createdBefore != null) {
            clauses.add("created_at < ?");
            params.add(createdBefore);
        }
        if (updatedSince != null) {
            clauses.add("updated_at >= ?");
            params.add(updatedSince);
        }
        return new Condition(String.join(" AND ", clauses), params);
    }

    /** A piece of SQL and its parameters (strings, integers, text arrays, instants), in placeholder order. */
    public record Condition(String sql, List<Object> params) {

        Condition and(String clause, Object... more) {
            List<Object> all = new ArrayList<>(params);
            all.addAll(List.of(more));
            return new Condition(sql + " AND " + clause, all);
        }

        /** Sets the parameters on a statement prepared from {@link #sql()}. */
        public void bind(PreparedStatement statement) throws SQLException {
            for (int i = 0; i < params.size(); i++) {
                switch (params.get(i)) {
                    case String text -> statement.setString(i + 1, text);
                    case Integer number -> statement.setInt(i + 1, number);
                    case Instant instant -> statement.setTimestamp(i + 1, Timestamp.from(instant));
                    case String[] texts -> statement.setArray(i + 1, statement.getConnection().createArrayOf("text", texts));
                    default -> throw new IllegalArgumentException("cannot bind " + params.get(i).getClass());
                }
            }
        }
    }
}
