package io.jobpulse.projections;

import io.jobpulse.http.Problem;
import io.jobpulse.http.ProblemException;
import io.jobpulse.http.ProblemType;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * The query parameters the lists of the read model share ({@code GET /v1/jobs}, {@code /v1/batches},
 * {@code /v1/batches/{id}/jobs}, a job's history): page size, cursor, comma-separated values, instants.
 * Each one read wrong is a 400 problem naming its field, so the lists refuse the same mistakes alike.
 */
final class ListParameters {

    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 100;

    private ListParameters() {
    }

    static int pageSize(Integer limit) {
        int size = limit == null ? DEFAULT_LIMIT : limit;
        if (size < 1 || size > MAX_LIMIT) {
            throw invalid("limit", "'limit' must be between 1 and " + MAX_LIMIT + ".");
        }
        return size;
    }

    static PageCursor cursor(String cursor) {
        if (cursor == null) {
            return null;
        }
        try {
            return PageCursor.decode(cursor);
        } catch (IllegalArgumentException e) {
            throw invalidCursor();
        }
    }

    static ProblemException invalidCursor() {
        return invalid("cursor", "'cursor' must be the nextCursor of an earlier page, as given.");
    }

    /** Values given as repeated parameters, comma-separated values, or both, as the streams take them. */
    static List<String> split(List<String> given) {
        if (given == null) {
            return List.of();
        }
        return given.stream().flatMap(value -> Arrays.stream(value.split(","))).map(String::trim).filter(s -> !s.isEmpty())
                .distinct().toList();
    }

    /** The values given for {@code field}, each one of {@code allowed} (listed in order in the problem). */
    static List<String> oneOf(String field, List<String> given, List<String> allowed) {
        List<String> values = split(given);
        Set<String> known = Set.copyOf(allowed);
        for (String value : values) {
            if (!known.contains(value)) {
                throw invalid(field, "'" + field + "' takes " + String.join(", ", allowed.subList(0, allowed.size() - 1))
                        + " or " + allowed.getLast() + ", not '" + value + "'.");
            }
        }
        return values;
    }

    static Instant instant(String field, String value) {
        if (value == null) {
            return null;
        }
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw invalid(field, "'" + field + "' must be an ISO-8601 instant such as 2026-11-22T21:09:32Z.");
        }
    }

    static ProblemException invalid(String field, String detail) {
        return new ProblemException(Problem.of(ProblemType.INVALID_REQUEST, detail).with("field", field));
    }
}
