package io.jobpulse.http;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * An RFC 9457 problem detail, the body of every error response ({@code application/problem+json}).
 *
 * @param type   a stable URI naming the kind of problem; clients switch on it
 * @param title  a short summary of the kind of problem
 * @param status the HTTP status
 * @param detail what went wrong this time, and what to do about it
 * @param extras extension members, written at the top level, e.g. the offending field
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Problem(String type, String title, int status, String detail, Map<String, Object> extras) {

    public static final String MEDIA_TYPE = "application/problem+json";
    private static final String TYPE_BASE = "https://jobpulse.io/problems/";
    private static final Set<String> STANDARD_MEMBERS = Set.of("type", "title", "status", "detail", "instance");

    public static Problem of(ProblemType type, String detail) {
        return new Problem(TYPE_BASE + type.slug(), type.title(), type.status(), detail, Map.of());
    }

    @Override
    @JsonAnyGetter
    public Map<String, Object> extras() {
        return extras;
    }

    /**
     * This problem with one more extension member. An extension never takes the name of one of
     * RFC 9457's members: written at the top level, it would repeat that member, and a client
     * reading the last of two {@code status} members would not get the HTTP status.
     */
    public Problem with(String key, Object value) {
        if (STANDARD_MEMBERS.contains(key)) {
            throw new IllegalArgumentException("'" + key + "' is a member of every problem, not an extension");
        }
        var more = new LinkedHashMap<>(extras == null ? Map.<String, Object>of() : extras);
        more.put(key, value);
        return new Problem(type, title, status, detail, more);
    }
}
