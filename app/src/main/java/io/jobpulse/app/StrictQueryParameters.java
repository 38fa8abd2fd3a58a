package io.jobpulse.app;

import io.jobpulse.http.Problem;
import io.jobpulse.http.ProblemType;
import io.jobpulse.http.Routes;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.order.Ordered;
import io.micronaut.core.type.Argument;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;
import io.micronaut.http.filter.ServerFilterPhase;
import io.micronaut.web.router.MethodBasedRouteMatch;
import io.micronaut.web.router.RouteAttributes;

import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Query parameters are strict on every endpoint of Jobpulse's own: one the endpoint does not
 * take is a {@code 400} naming it and what the endpoint takes (rather than being ignored, so that
 * a misspelt filter cannot silently widen an answer), and a yes-or-no parameter is {@code true}
 * or {@code false}, nothing else. What an endpoint takes is read from its route's
 * {@code @QueryValue} arguments, so the rule follows the code; stream endpoints also take the
 * {@code token} their stream tokens come in.
 */
@ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
public class StrictQueryParameters implements Ordered {

    private static final Pattern STREAMS = Routes.pattern(Routes.JOB_STREAM, Routes.BATCH_STREAM, Routes.STREAM, Routes.SOCKET);

    @RequestFilter
    @Nullable
    public HttpResponse<Problem> check(HttpRequest<?> request) {
        if (!(RouteAttributes.getRouteMatch(request).orElse(null) instanceof MethodBasedRouteMatch<?, ?> route)
                || !route.getDeclaringType().getName().startsWith("io.jobpulse.")) {
            return null;
        }
        Set<String> taken = new TreeSet<>();
        Set<String> yesOrNo = new TreeSet<>();
        for (Argument<?> argument : route.getArguments()) {
            if (argument.getAnnotationMetadata().hasAnnotation(QueryValue.class)) {
                String name = argument.getAnnotationMetadata().stringValue(QueryValue.class).orElse(argument.getName());
                taken.add(name);
                if (argument.getType() == Boolean.class || argument.getType() == boolean.class) {
                    yesOrNo.add(name);
                }
            }
        }
        if (STREAMS.matcher(request.getPath()).matches()) {
            taken.add("token");
        }
        for (String name : request.getParameters().names()) {
            if (!taken.contains(name)) {
                return refuse(name, "'" + name + "' is not a parameter of this endpoint; "
                        + (taken.isEmpty() ? "it takes none." : "it takes " + String.join(", ", taken) + "."));
            }
            if (yesOrNo.contains(name) && !request.getParameters().getAll(name).stream().allMatch(v -> v.equals("true") || v.equals("false"))) {
                return refuse(name, "'" + name + "' is true or false.");
            }
        }
        return null;
    }

    private static HttpResponse<Problem> refuse(String field, String detail) {
        return HttpResponse.<Problem>status(HttpStatus.BAD_REQUEST).contentType(Problem.MEDIA_TYPE)
                .body(Problem.of(ProblemType.INVALID_REQUEST, detail).with("field", field));
    }

    @Override
    public int getOrder() {
        // After authentication, so that a caller without a credential is told that first.
        return ServerFilterPhase.SECURITY.after() + 1;
    }
}
