package io.jobpulse.projections;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A batch of rows gathered column by column, bound as one array parameter per column of a
 * statement that unnests them ({@code unnest(?::text[], ?::int8[], ...)}). Numbers go as numbers,
 * everything else as text that the statement casts (times in ISO 8601, arrays as
 * {@link ArrayLiteral}s): one statement text for every batch size, and a dozen parameters instead
 * of a dozen per row.
 */
final class Columns {

    private final Connection connection;
    private final Object[][] values;
    private int row;

    Columns(Connection connection, int columns, int rows) {
        this.connection = connection;
        this.values = new Object[columns][];
        for (int i = 0; i < values.length; i++) {
            values[i] = new Object[rows];
        }
    }

    Columns text(int column, String value) {
        values[column][row] = value;
        return this;
    }

    Columns number(int column, Number value) {
        values[column][row] = value;
        return this;
    }

    Columns time(int column, Instant value) {
        return text(column, value == null ? null : value.toString());
    }

    void next() {
        row++;
    }

    /** Runs the statement with column i bound as an array of {@code types[i]}; returns the rows it changed. */
    int execute(String sql, String... types) throws SQLException {
        try (PreparedStatement statement = bind(sql, types)) {
            return statement.executeUpdate();
        }
    }

    /** Runs a statement that returns rows ({@code RETURNING}), bound as {@link #execute} binds; the first column of each row. */
    List<String> returning(String sql, String... types) throws SQLException {
        List<String> returned = new ArrayList<>();
        try (PreparedStatement statement = bind(sql, types); ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                returned.add(rows.getString(1));
            }
        }
        return returned;
    }

    private PreparedStatement bind(String sql, String... types) throws SQLException {
        PreparedStatement statement = connection.prepareStatement(sql);
        try {
            for (int i = 0; i < types.length; i++) {
                statement.setArray(i + 1, connection.createArrayOf(types[i], typed(types[i], values[i])));
            }
            return statement;
        } catch (SQLException | RuntimeException e) {
            statement.close();
            throw e;
        }
    }

    private Object[] typed(String type, Object[] column) {
        Object[] out = switch (type) {
            case "int4" -> new Integer[row];
            case "int8" -> new Long[row];
            case "float8" -> new Double[row];
            default -> new String[row];
        };
        for (int i = 0; i < row; i++) {
            out[i] = switch (type) {
                case "int4" -> ((Number) column[i]).intValue();
                case "int8" -> ((Number) column[i]).longValue();
                case "float8" -> ((Number) column[i]).doubleValue();
                default -> column[i];
            };
        }
        return out;
    }
}
