package io.jobpulse.app.security;

import io.jobpulse.http.Caller;
import io.jobpulse.http.Problem;
import io.jobpulse.http.ProblemType;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.order.Ordered;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;
import io.micronaut.http.filter.ServerFilterPhase;
import io.micronaut.management.endpoint.annotation.Endpoint;
import io.micronaut.management.endpoint.health.HealthEndpoint;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.web.router.MethodBasedRouteMatch;
import io.micronaut.web.router.RouteAttributes;

import java.time.Instant;
import java.util.Collection;
import java.util.Date;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * Puts the request's {@link Caller} in its attributes ({@link Caller#ATTRIBUTE}), right after
 * Micronaut Security has authenticated it, for the controllers of every role to take. An API key
 * or stream token carries its caller; a JWT's subject is the owner, with the scopes of its
 * {@code scope} claim (space-separated, OAuth style), or by default {@code jobs:submit jobs:report
 * jobs:read}. Management endpoints but health (the metrics, and any other that is enabled) want
 * {@code jobpulse:admin}; they are told by the route the request matched, not by its path, so
 * that {@code /prometheus/} or any other spelling of a path cannot slip past.
 */
@ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
public class CallerFilter implements Ordered {

    static final Set<Caller.Scope> USER_SCOPES = EnumSet.of(Caller.Scope.SUBMIT, Caller.Scope.REPORT, Caller.Scope.READ);

    @RequestFilter
    @Nullable
    public HttpResponse<Problem> attachCaller(HttpRequest<?> request) {
        Optional<Caller> caller = request.getUserPrincipal(Authentication.class).map(CallerFilter::caller);
        caller.ifPresent(found -> request.setAttribute(Caller.ATTRIBUTE, found));
        if (isManagementEndpoint(request) && (caller.isEmpty() || !caller.get().may(Caller.Scope.ADMIN))) {
            return HttpResponse.<Problem>status(HttpStatus.FORBIDDEN).contentType(Problem.MEDIA_TYPE)
                    .body(Problem.of(ProblemType.FORBIDDEN, "The metrics and other management endpoints want a credential with"
                            + " the '" + Caller.Scope.ADMIN.wireName() + "' scope.").with("scope", Caller.Scope.ADMIN.wireName()));
        }
        return null;
    }

    /** Whether the request is routed to a management endpoint other than health. */
    private static boolean isManagementEndpoint(HttpRequest<?> request) {
        return RouteAttributes.getRouteMatch(request)
                .filter(match -> match instanceof MethodBasedRouteMatch<?, ?> method && method.hasAnnotation(Endpoint.class)
                        && !HealthEndpoint.class.isAssignableFrom(method.getDeclaringType()))
                .isPresent();
    }

    static Caller caller(Authentication authentication) {
        if (authentication.getAttributes().get(Caller.ATTRIBUTE) instanceof Caller caller) {
            return caller;
        }
        return Caller.user(authentication.getName(), scopes(authentication.getAttributes().get("scope")).orElse(USER_SCOPES),
                expiry(authentication.getAttributes().get("exp")));
    }

    /** A JWT's {@code exp}, however the claim reached the attributes (a date, or seconds since the epoch). */
    static Instant expiry(Object claim) {
        return switch (claim) {
            case Date date -> date.toInstant();
            case Instant instant -> instant;
            case Number seconds -> Instant.ofEpochSecond(seconds.longValue());
            case null, default -> null;
        };
    }

    private static Optional<Set<Caller.Scope>> scopes(Object claim) {
        if (claim == null) {
            return Optional.empty();
        }
        Set<Caller.Scope> scopes = EnumSet.noneOf(Caller.Scope.class);
        Collection<?> names = claim instanceof Collection<?> list ? list : java.util.List.of(claim.toString().split("\\s+"));
        names.forEach(name -> Caller.Scope.fromWireName(String.valueOf(name)).ifPresent(scopes::add));
        return Optional.of(scopes);
    }

    @Override
    public int getOrder() {
        return ServerFilterPhase.SECURITY.after();
    }
}
