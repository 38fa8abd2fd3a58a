package io.jobpulse.events;

import java.time.Instant;
import java.util.List;

/**
 * An application's endpoint for outbound webhooks, as it stands after a change: the value of every
 * record on {@code jobpulse.endpoints} (key = endpoint id), so a reader never needs an earlier one.
 *
 * @param owner   whose jobs it is told about, or null for an endpoint an administrator registered for every owner
 * @param status  {@code active}, {@code paused} (deliveries wait) or {@code deleted}
 * @param secrets the signing secrets ({@code whsec_...}), newest first; an older one signs beside the newest
 *                until its {@link Secret#expiresAt()}
 * @param version the endpoint's version: 1 when created, one more with each change
 */
public record Endpoint(String id, String owner, String url, String description, EndpointFilter filter, String status,
                       List<Secret> secrets, long version, Instant createdAt, Instant updatedAt) {

    public static final String ACTIVE = "active";
    public static final String PAUSED = "paused";
    public static final String DELETED = "deleted";

    /**
     * One signing secret.
     *
     * @param expiresAt when it stops signing; null for the newest, which signs until it is rotated
     */
    public record Secret(String secret, Instant createdAt, Instant expiresAt) {
    }

    public Endpoint {
        secrets = secrets == null ? List.of() : List.copyOf(secrets);
        filter = filter == null ? EndpointFilter.ALL : filter;
    }

    /** The secrets that sign a delivery sent at {@code now}: the newest, and older ones in their overlap. */
    public List<String> signingSecrets(Instant now) {
        return secrets.stream().filter(s -> s.expiresAt() == null || s.expiresAt().isAfter(now)).map(Secret::secret).toList();
    }

    /** Whether it is told about a job of this owner. */
    public boolean servesOwner(String jobOwner) {
        return owner == null || owner.equals(jobOwner);
    }
}
