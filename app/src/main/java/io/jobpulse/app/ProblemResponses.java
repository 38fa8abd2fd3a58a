package io.jobpulse.app;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.jobpulse.http.Problem;
import io.jobpulse.http.ProblemException;
import io.jobpulse.http.ProblemType;
import io.micronaut.context.annotation.Replaces;
import io.micronaut.http.HttpHeaders;
import io.micronaut.core.order.Ordered;
import io.micronaut.http.HttpMethod;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.annotation.ResponseFilter;
import io.micronaut.http.annotation.ServerFilter;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import io.micronaut.http.server.exceptions.response.ErrorContext;
import io.micronaut.http.server.exceptions.response.ErrorResponseProcessor;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Every error leaves as {@code application/problem+json}: problems thrown by Jobpulse's own code
 * as they are, and the framework's errors (unparseable JSON, unknown route, wrong method...)
 * mapped onto the same stable types. Server errors say nothing of their cause to the caller.
 */
@Singleton
@Replaces(ErrorResponseProcessor.class)
public class ProblemResponses implements ErrorResponseProcessor<Problem> {

    private static final Logger LOG = LoggerFactory.getLogger(ProblemResponses.class);
    private static final String RETRY_AFTER_SECONDS = "1";

    @Override
    public MutableHttpResponse<Problem> processResponse(ErrorContext context, MutableHttpResponse<?> response) {
        MutableHttpResponse<Problem> answer = respond(response, problemFor(context, response.status()));
        // A request line or headers too long for the server leave the connection unusable, and it is
        // closed after this answer: say so, so that clients do not send the next request on it.
        int status = response.status().getCode();
        return status == 413 || status == 414 || status == 431 ? answer.header(HttpHeaders.CONNECTION, "close") : answer;
    }

    static Problem problemFor(ErrorContext context, HttpStatus status) {
        if (context.getRootCause().orElse(null) instanceof ProblemException problem) {
            return problem.problem();
        }
        String detail = context.getErrors().stream().map(e -> e.getMessage()).collect(Collectors.joining("; "));
        if (status.getCode() >= 500 && status.getCode() != 503) {
            return logged(context, standard(status, context.getRequest(), detail));
        }
        return status.getCode() == 400
                ? jsonError(context.getRootCause().orElse(null)).map(ProblemResponses::bodyProblem).orElseGet(() -> argumentProblem(detail))
                : standard(status, context.getRequest(), detail);
    }

    /** The problem of a status, in the words every answer of that status uses. */
    static Problem standard(HttpStatus status, HttpRequest<?> request, String detail) {
        return switch (status.getCode()) {
            case 400 -> argumentProblem(detail);
            case 401 -> Problem.of(ProblemType.UNAUTHORIZED, "Authenticate with a bearer token.");
            case 403 -> Problem.of(ProblemType.FORBIDDEN, "This request is not allowed.");
            case 404 -> Problem.of(ProblemType.NOT_FOUND, "No resource at " + request.getPath() + ".");
            case 405 -> Problem.of(ProblemType.METHOD_NOT_ALLOWED,
                    request.getMethodName() + " is not allowed on " + request.getPath() + ".");
            case 406 -> Problem.of(ProblemType.NOT_ACCEPTABLE, "This resource cannot answer in the requested media type.");
            case 413 -> Problem.of(ProblemType.PAYLOAD_TOO_LARGE, "The body is larger than this endpoint accepts.");
            case 415 -> Problem.of(ProblemType.UNSUPPORTED_MEDIA_TYPE, "Send the body as application/json.");
            case 429 -> Problem.of(ProblemType.RATE_LIMITED, "Too many requests. Retry shortly.");
            case 503 -> Problem.of(ProblemType.UNAVAILABLE, "Temporarily unavailable. Retry shortly.");
            default -> status.getCode() >= 500
                    ? Problem.of(ProblemType.INTERNAL, "Something went wrong on our side. Retry; if it persists, report it.")
                    : new Problem(Problem.of(ProblemType.INVALID_REQUEST, detail).type(), status.getReason(),
                            status.getCode(), detail.isBlank() ? status.getReason() + "." : detail, null);
        };
    }

    private static Optional<JsonProcessingException> jsonError(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof JsonProcessingException json) {
                return Optional.of(json);
            }
        }
        return Optional.empty();
    }

    /**
     * A body that cannot be read, told in the API's words: the field at fault (its JSON path) and
     * what it takes, never the Java types behind it.
     */
    static Problem bodyProblem(JsonProcessingException json) {
        if (json instanceof MismatchedInputException mismatch && !mismatch.getPath().isEmpty()) {
            String field = mismatch.getPath().stream()
                    .map(reference -> reference.getFieldName() != null ? reference.getFieldName() : "[" + reference.getIndex() + "]")
                    .collect(Collectors.joining(".")).replace(".[", "[");
            String detail = json instanceof UnrecognizedPropertyException unknown
                    ? "'" + field + "' is not a field of this request; it takes " + unknown.getKnownPropertyIds().stream()
                            .map(String::valueOf).sorted().collect(Collectors.joining(", ")) + "."
                    : "'" + field + "' must be " + expected(mismatch.getTargetType()) + ".";
            return Problem.of(ProblemType.MALFORMED_JSON, detail).with("field", field);
        }
        // A syntax error: the parser's own words name the token and place, not a type.
        return Problem.of(ProblemType.MALFORMED_JSON, "The body is not valid JSON: "
                + json.getOriginalMessage().replaceAll("\\s*\\(class [^)]*\\)", "").replaceAll("`[a-z]+(\\.[A-Za-z$_]+)+`", "a value")
                + location(json));
    }

    /** What a JSON value of a Java type is, in the API's words. */
    private static String expected(Class<?> type) {
        if (type == null) {
            return "of another kind";
        }
        if (type == String.class || type.isEnum()) {
            return "text";
        }
        if (type == java.time.Duration.class) {
            return "an ISO-8601 duration such as \"PT10M\"";
        }
        if (type == java.time.Instant.class) {
            return "an ISO-8601 instant such as \"2026-11-30T12:00:00Z\"";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "a whole number";
        }
        if (Number.class.isAssignableFrom(type) || type.isPrimitive()) {
            return "a number";
        }
        if (java.util.Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "a list";
        }
        return "an object";
    }

    private static final Pattern CONVERSION = Pattern.compile("Failed to convert argument \\[([^\\]]+)\\] for value \\[([^\\]]*)\\]");

    /** A request argument (a query parameter, a header) that could not be read, named, in the API's words. */
    private static Problem argumentProblem(String detail) {
        Matcher conversion = CONVERSION.matcher(detail);
        if (conversion.find()) {
            return Problem.of(ProblemType.INVALID_REQUEST, "'" + conversion.group(1) + "' cannot be '" + conversion.group(2) + "'.")
                    .with("field", conversion.group(1));
        }
        return Problem.of(ProblemType.INVALID_REQUEST, detail.isBlank() ? "The request is not valid." : detail);
    }

    private static String location(JsonProcessingException json) {
        JsonLocation at = json.getLocation();
        return at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
    }

    private static Problem logged(ErrorContext context, Problem problem) {
        context.getRootCause().ifPresent(cause -> LOG.error("{} {} failed", context.getRequest().getMethodName(),
                context.getRequest().getPath(), cause));
        return problem;
    }

    static MutableHttpResponse<Problem> respond(MutableHttpResponse<?> response, Problem problem) {
        MutableHttpResponse<Problem> answer = response.status(HttpStatus.valueOf(problem.status()))
                .contentType(Problem.MEDIA_TYPE)
                .body(problem);
        // Every 503 here is transient (a broker or a rebalance away): say when to come back.
        return problem.status() == HttpStatus.SERVICE_UNAVAILABLE.getCode()
                ? answer.header(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS)
                : answer;
    }

    /**
     * The safety net under every answer: a 4xx about to leave with no body at all (the framework's
     * filters refuse so, the CORS filter first of them) becomes the problem of its status. Such a
     * 403 to a request with an {@code Origin} is the CORS filter's: a browser on an origin that is
     * not listed (on a local address, where any other origin is refused outright against drive-by
     * attacks), told which origin and where to list it. An answer to {@code HEAD} keeps no body, as
     * HTTP wants; 1xx, 2xx and 3xx answers (a {@code 101} upgrade, a {@code 204}, a {@code 304}, a
     * stream) are not 4xx and pass as they are. This filter comes first, so that it sees the
     * answers of every other filter; so it is also where every 4xx answer is counted ({@link Rejections}).
     */
    @ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
    public static class EmptyRejections implements Ordered {

        private final Rejections rejections;

        public EmptyRejections(Rejections rejections) {
            this.rejections = rejections;
        }

        @ResponseFilter
        public void fill(HttpRequest<?> request, MutableHttpResponse<?> response) {
            try {
                fillEmpty(request, response);
            } finally {
                rejections.count(response);
            }
        }

        private void fillEmpty(HttpRequest<?> request, MutableHttpResponse<?> response) {
            int status = response.status().getCode();
            if (status < 400 || status >= 500 || response.getBody().isPresent() || request.getMethod() == HttpMethod.HEAD) {
                return;
            }
            String origin = request.getHeaders().get(HttpHeaders.ORIGIN);
            Problem problem = status == 403 && origin != null
                    ? Problem.of(ProblemType.FORBIDDEN, "Requests from pages on " + origin + " are not allowed. To allow them, list "
                            + origin + " in JOBPULSE_CORS_ORIGINS (micronaut.server.cors.configurations.web.allowed-origins).")
                    : standard(response.status(), request, "");
            respond(response, problem);
        }

        @Override
        public int getOrder() {
            // Right after the one filter that must complete last (the WebSocket handshake's), before the CORS filter.
            return Ordered.HIGHEST_PRECEDENCE + 1;
        }
    }

    /** Jobpulse's own problems, thrown anywhere in a request. */
    @Singleton
    @Produces(Problem.MEDIA_TYPE)
    public static class ProblemExceptionHandler implements ExceptionHandler<ProblemException, HttpResponse<Problem>> {

        @Override
        public HttpResponse<Problem> handle(HttpRequest request, ProblemException exception) {
            return respond(HttpResponse.status(HttpStatus.valueOf(exception.problem().status())), exception.problem());
        }
    }
}
