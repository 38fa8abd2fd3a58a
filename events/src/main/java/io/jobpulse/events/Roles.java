package io.jobpulse.events;

/**
 * The roles one Jobpulse process can play, selected by the comma-separated property
 * {@code jobpulse.roles}. Each constant is a pattern for {@code @Requires(property = ROLES, pattern = ...)}.
 */
public final class Roles {

    public static final String PROPERTY = "jobpulse.roles";

    public static final String INGEST = "(.*,)?\\s*ingest\\s*(,.*)?";
    public static final String TOPOLOGY = "(.*,)?\\s*topology\\s*(,.*)?";
    public static final String PROJECTIONS = "(.*,)?\\s*projections\\s*(,.*)?";
    public static final String PUSH = "(.*,)?\\s*push\\s*(,.*)?";
    public static final String NOTIFICATIONS = "(.*,)?\\s*notifications\\s*(,.*)?";

    private Roles() {
    }
}
