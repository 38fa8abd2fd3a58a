package io.jobpulse.projections;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A piece of SQL and its parameters (strings, integers, text arrays, instants), in placeholder order.
 * The list filters ({@link JobFilter}, {@link BatchFilter}) build theirs from an owner's rows by
 * adding only the clauses whose value is given, so that every shape of a list query is plain SQL
 * an index serves.
 */
public record Condition(String sql, List<Object> params) {

    public Condition {
        params = List.copyOf(params);
    }

    /** The rows of one owner: where every list starts. */
    static Condition owner(String owner) {
        return new Condition("owner = ?", List.of(owner));
    }

    /** This and one more clause, with its parameters. */
    Condition and(String clause, Object... more) {
        List<Object> all = new ArrayList<>(params);
        all.addAll(List.of(more));
        return new Condition(sql + " AND " + clause, all);
    }

    /** Rows whose column is one of the values: unchanged for none, {@code =} for one, {@code = ANY} for several. */
    Condition anyOf(String column, List<String> values) {
        return switch (values.size()) {
            case 0 -> this;
            case 1 -> and(column + " = ?", values.getFirst());
            default -> and(column + " = ANY(?)", (Object) values.toArray(String[]::new));
        };
    }

    /** Rows whose array column holds the element; unchanged for null. */
    Condition containing(String column, String element) {
        return element == null ? this : and(column + " @> ?", (Object) new String[]{element});
    }

    /** Rows whose column compares to the instant ({@code >}, {@code <}, {@code >=}); unchanged for null. */
    Condition compared(String column, String operator, Instant instant) {
        return instant == null ? this : and(column + " " + operator + " ?", instant);
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
