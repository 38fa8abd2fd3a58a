package io.jobpulse.app.demo;

import io.jobpulse.app.security.JwtSecret;
import io.jobpulse.app.security.SecurityConfiguration;
import io.micronaut.context.annotation.Property;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;

import java.time.Duration;

/**
 * The user the demo acts as ({@code jobpulse.demo.owner}, alice, whose token dev prints): its jobs are
 * submitted, and its webhook endpoint registered, with a short-lived token made per request, so that no
 * long-lived credential exists.
 */
@Singleton
@Requires(property = "jobpulse.demo.enabled", value = "true")
public class DemoUser {

    private final String owner;
    private final String jwtSecret;
    private final SecurityConfiguration security;

    public DemoUser(@Property(name = "jobpulse.demo.owner", defaultValue = "alice") String owner,
                    @Property(name = "jobpulse.security.jwt-secret") String jwtSecret, SecurityConfiguration security) {
        this.owner = owner;
        this.jwtSecret = jwtSecret;
        this.security = security;
    }

    /** An {@code Authorization} header value for one request. */
    String authorization() {
        return "Bearer " + JwtSecret.mint(jwtSecret, security.jwtIssuer(), security.jwtAudience(), owner, null, Duration.ofMinutes(5));
    }
}
