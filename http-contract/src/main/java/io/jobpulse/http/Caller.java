package io.jobpulse.http;

import io.jobpulse.events.EventSource;

import java.time.Instant;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * Who is calling the HTTP API, once authenticated, and what it may do. Every endpoint but health
 * and the signed webhooks takes one; what it may see is decided here, in one place.
 *
 * @param source     how the events it causes name it: {@code user:<sub>} for a JWT, {@code service:<key id>} for an API key
 * @param owner      the owner whose jobs it acts on, or null for a service key bound to no owner, or an
 *                   administrator, who act on every owner's jobs
 * @param scopes     what it may do
 * @param tokenJobs for a stream token, the jobs it may subscribe to (empty: all of its owner's jobs);
 *                   null for every other credential
 * @param expiresAt  when the credential ends, and with it the streams it opened unless they are renewed: a
 *                   stream token's expiry or a JWT's {@code exp}; null for an API key
 */
public record Caller(EventSource source, String owner, Set<Scope> scopes, Set<String> tokenJobs, Instant expiresAt) {

    /** The request attribute under which an authenticated request carries its caller. */
    public static final String ATTRIBUTE = "jobpulse.caller";
    private static final String PEER = "peer";

    /**
     * What a credential allows. {@link #ADMIN} allows everything. The names are namespaced
     * ({@code jobpulse:...}) so that a scope an identity provider mints for another application,
     * such as a bare {@code admin}, never counts here.
     */
    public enum Scope {
        SUBMIT("jobpulse:jobs:submit", "jobs:submit"), REPORT("jobpulse:jobs:report", "jobs:report"),
        READ("jobpulse:jobs:read", "jobs:read"), ADMIN("jobpulse:admin", "admin");

        private final String wireName;
        private final String formerName;

        Scope(String wireName, String formerName) {
            this.wireName = wireName;
            this.formerName = formerName;
        }

        public String wireName() {
            return wireName;
        }

        public static Optional<Scope> fromWireName(String name) {
            return Arrays.stream(values()).filter(scope -> scope.wireName.equals(name)).findFirst();
        }

        /** The scope a name stood for before scopes were namespaced ({@code jobs:read}, {@code admin}), to say what to use instead. */
        public static Optional<Scope> fromFormerName(String name) {
            return Arrays.stream(values()).filter(scope -> scope.formerName.equals(name)).findFirst();
        }
    }

    public Caller {
        scopes = scopes.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(scopes));
        tokenJobs = tokenJobs == null ? null : Set.copyOf(tokenJobs);
    }

    /** A user of a JWT that expires at {@code expiresAt}: the owner of its own jobs. */
    public static Caller user(String subject, Set<Scope> scopes, Instant expiresAt) {
        return new Caller(EventSource.user(subject), scopes.contains(Scope.ADMIN) ? null : subject, scopes, null, expiresAt);
    }

    /** A service's API key, bound to one owner or to none. */
    public static Caller service(String keyId, String owner, Set<Scope> scopes) {
        return new Caller(EventSource.service(keyId), scopes.contains(Scope.ADMIN) ? null : owner, scopes, null, null);
    }

    /** A stream token: subscribing only, to the given jobs of one owner (all of them when none are given). */
    public static Caller stream(String tokenId, String owner, Set<String> jobs, Instant expiresAt) {
        return new Caller(new EventSource("stream", tokenId), owner, Set.of(), jobs, expiresAt);
    }

    /** Another Jobpulse instance reading a job it does not host ({@link PeerCredential}): answered from this instance's stores. */
    public static Caller peer() {
        return new Caller(EventSource.system(PEER), null, Set.of(Scope.READ), null, null);
    }

    public boolean isPeer() {
        return source.equals(EventSource.system(PEER));
    }

    public boolean isStreamToken() {
        return tokenJobs != null;
    }

    public boolean may(Scope scope) {
        return scopes.contains(scope) || scopes.contains(Scope.ADMIN);
    }

    /** Throws a 403 problem unless the caller has the scope. */
    public void require(Scope scope) {
        if (!may(scope)) {
            throw new ProblemException(Problem.of(ProblemType.FORBIDDEN, "This credential lacks the scope '" + scope.wireName()
                    + "'. Use an API key created with it (./jobpulse keys create --scopes " + scope.wireName() + ").")
                    .with("scope", scope.wireName()));
        }
    }

    /** Whether the caller may see a job of this owner; a job it may not see is, to it, no job at all. */
    public boolean sees(String jobOwner, String jobId) {
        if (tokenJobs != null && !tokenJobs.isEmpty() && !tokenJobs.contains(jobId)) {
            return false;
        }
        return owner == null || owner.equals(jobOwner);
    }

    /** Throws a 403 problem unless the caller may subscribe to streams: stream tokens and callers that may read. */
    public void requireSubscribe() {
        if (!isStreamToken()) {
            require(Scope.READ);
        }
    }

    /**
     * The owner a request acts for: the caller's own, or for a caller bound to no owner, the one
     * it names. Naming another owner than one's own is refused.
     */
    public String ownerFor(String named) {
        if (owner != null) {
            if (named != null && !named.equals(owner)) {
                throw new ProblemException(Problem.of(ProblemType.FORBIDDEN, "This credential acts only for its own owner, '"
                        + owner + "'; it cannot act for '" + named + "'.").with("field", "owner"));
            }
            return owner;
        }
        if (named == null || named.isBlank()) {
            throw new ProblemException(Problem.of(ProblemType.INVALID_REQUEST, "This credential is bound to no owner: name the"
                    + " owner to act for ('owner' in the body, or ?owner= on reads).").with("field", "owner"));
        }
        return named;
    }
}
