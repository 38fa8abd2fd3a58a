package io.jobpulse.app.security;

import io.jobpulse.http.Caller;
import io.jobpulse.http.PeerCredential;
import io.jobpulse.http.Routes;
import io.micronaut.context.annotation.Property;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpMethod;
import io.micronaut.http.HttpRequest;
import jakarta.inject.Singleton;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Recognises another instance's read of one job ({@code GET /v1/jobs/{id}}, or of one batch, with
 * {@code Authorization: Bearer jpi_...}, see {@link PeerCredential}). Checking it is one HMAC, so
 * it is done before the request is counted against its address: an instance forwarding many
 * callers' reads is not one client to be limited; each caller was counted where it arrived.
 */
@Singleton
final class PeerCallers {

    /** The reads an instance forwards: a job's state, a batch's, a batch's members. */
    private static final List<String> READS = List.of(Routes.JOBS + Routes.JOB, Routes.BATCHES + Routes.BATCH,
            Routes.BATCHES + Routes.BATCH_MEMBERS);
    private static final Pattern READ = Routes.pattern(READS.toArray(String[]::new));
    private static final String PREFIX = "Bearer " + PeerCredential.PREFIX + "_";

    private final PeerCredential credential;

    PeerCallers(@Nullable @Property(name = "jobpulse.security.signing-key") String signingKey) {
        this.credential = signingKey == null || signingKey.isBlank() ? null : new PeerCredential(signingKey);
    }

    /** Whether the request carries a peer credential at all, valid or not. */
    static boolean claims(HttpRequest<?> request) {
        String header = request.getHeaders().get(HttpHeaders.AUTHORIZATION);
        return header != null && header.startsWith(PREFIX);
    }

    /** The peer caller, if the request is a read of one job with a valid credential for it. */
    Optional<Caller> verify(HttpRequest<?> request) {
        if (credential == null || request.getMethod() != HttpMethod.GET || !claims(request) || !READ.matcher(request.getPath()).matches()) {
            return Optional.empty();
        }
        String id = READS.stream().map(template -> Routes.variable(template, request.getPath())).flatMap(Optional::stream)
                .findFirst().orElse(null);
        String presented = request.getHeaders().get(HttpHeaders.AUTHORIZATION).substring("Bearer ".length()).strip();
        return credential.verifies(presented, id, Instant.now()) ? Optional.of(Caller.peer()) : Optional.empty();
    }
}
