package io.jobpulse.app.dashboard;

import io.swagger.v3.oas.annotations.Hidden;
import io.jobpulse.app.security.JwtSecret;
import io.jobpulse.app.security.SecurityConfiguration;
import io.jobpulse.http.Routes;
import io.micronaut.context.annotation.Property;
import io.micronaut.context.annotation.Requires;
import io.jobpulse.http.Problem;
import io.jobpulse.http.ProblemException;
import io.jobpulse.http.ProblemType;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.rules.SecurityRule;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * {@code GET /dev/sign-in}: dev's users, each with a fresh token, so that the dashboard of
 * {@code ./jobpulse dev} can sign in with one click. Anyone who reaches it gets those users' tokens,
 * so it exists only where {@code jobpulse.dev.sign-in} is {@code true}, which {@code ./jobpulse dev}
 * sets and nothing else does, and it answers this machine only (a TCP peer on loopback), even when dev
 * was told to listen on other addresses.
 */
@Hidden
@Controller(Routes.DEV_SIGN_IN)
@Requires(property = DevSignInController.PROPERTY, value = "true")
@Secured(SecurityRule.IS_ANONYMOUS)
public class DevSignInController {

    public static final String PROPERTY = "jobpulse.dev.sign-in";
    /** The users dev prints tokens for, and offers on the dashboard. */
    public static final List<String> USERS = List.of("alice", "bob");
    public static final Duration TOKEN_LIFETIME = Duration.ofDays(1);

    /** One user and a token of theirs (a JWT with a user's usual scopes). */
    public record DevUser(String name, String token, Instant expiresAt) {
    }

    /** The answer: every dev user. */
    public record DevUsers(List<DevUser> users) {
    }

    private final String secret;
    private final SecurityConfiguration config;

    public DevSignInController(@Property(name = "jobpulse.security.jwt-secret") String secret, SecurityConfiguration config) {
        this.secret = secret;
        this.config = config;
    }

    @Get
    public HttpResponse<DevUsers> users(HttpRequest<?> request) {
        if (!request.getRemoteAddress().getAddress().isLoopbackAddress()) {
            throw new ProblemException(Problem.of(ProblemType.FORBIDDEN, "Dev's sign-in answers requests from this machine only;"
                    + " elsewhere, paste a token."));
        }
        Instant expiresAt = Instant.now().plus(TOKEN_LIFETIME);
        List<DevUser> users = USERS.stream().map(name -> new DevUser(name,
                JwtSecret.mint(secret, config.jwtIssuer(), config.jwtAudience(), name, null, TOKEN_LIFETIME), expiresAt)).toList();
        return HttpResponse.ok(new DevUsers(users)).header(HttpHeaders.CACHE_CONTROL, "no-store");
    }
}
