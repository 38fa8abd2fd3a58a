package io.jobpulse.events;

/**
 * Who caused an event: a user (JWT subject), a service (API key), an external provider, or
 * Jobpulse itself (deadlines, polling).
 *
 * @param kind one of {@code user}, {@code service}, {@code provider}, {@code system}
 * @param id   the principal, key id or provider name
 */
public record EventSource(String kind, String id) {

    /** The kind of an API key's events. */
    public static final String SERVICE = "service";

    public static EventSource user(String subject) {
        return new EventSource("user", subject);
    }

    public static EventSource service(String keyId) {
        return new EventSource(SERVICE, keyId);
    }

    public static EventSource provider(String name) {
        return new EventSource("provider", name);
    }

    public static EventSource system(String component) {
        return new EventSource("system", component);
    }

    /** {@code <kind>:<id>}: how one principal is named in logs, limits and records of who did what. */
    public String key() {
        return kind + ":" + id;
    }
}
