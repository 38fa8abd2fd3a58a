package io.jobpulse.app.security;

import io.jobpulse.http.Problem;
import io.jobpulse.http.ProblemType;
import io.micronaut.context.annotation.Replaces;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import io.micronaut.security.authentication.AuthorizationException;
import io.micronaut.security.authentication.DefaultAuthorizationExceptionHandler;
import jakarta.inject.Singleton;

/**
 * Requests that Micronaut Security turns away, as problem+json: {@code 401} with
 * {@code WWW-Authenticate: Bearer} when no valid credential came, {@code 403} when it does not
 * allow the path.
 */
@Singleton
@Replaces(DefaultAuthorizationExceptionHandler.class)
@Produces(Problem.MEDIA_TYPE)
public class SecurityProblems implements ExceptionHandler<AuthorizationException, MutableHttpResponse<?>> {

    @Override
    public MutableHttpResponse<?> handle(HttpRequest request, AuthorizationException exception) {
        if (exception.isForbidden()) {
            Problem problem = Problem.of(ProblemType.FORBIDDEN, "This credential does not allow " + request.getPath() + ".");
            return HttpResponse.status(HttpStatus.FORBIDDEN).contentType(Problem.MEDIA_TYPE).body(problem);
        }
        Problem problem = Problem.of(ProblemType.UNAUTHORIZED, "Send a valid credential: 'Authorization: Bearer <JWT or API key>',"
                + " or ?token=<stream token> on a stream. It was missing, malformed, expired or revoked.");
        return HttpResponse.status(HttpStatus.UNAUTHORIZED).header(HttpHeaders.WWW_AUTHENTICATE, "Bearer")
                .contentType(Problem.MEDIA_TYPE).body(problem);
    }
}
