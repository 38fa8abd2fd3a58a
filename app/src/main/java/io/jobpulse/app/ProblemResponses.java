package io.jobpulse.app;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import io.jobpulse.http.Problem;
import io.jobpulse.http.ProblemException;
import io.jobpulse.http.ProblemType;
import io.micronaut.context.annotation.Replaces;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import io.micronaut.http.server.exceptions.response.ErrorContext;
import io.micronaut.http.server.exceptions.response.ErrorResponseProcessor;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;
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
        return switch (status.getCode()) {
            case 400 -> jsonError(context.getRootCause().orElse(null))
                    .map(json -> Problem.of(ProblemType.MALFORMED_JSON, "The body is not valid JSON for this request: "
                            + json.getOriginalMessage() + location(json)))
                    .orElseGet(() -> Problem.of(ProblemType.INVALID_REQUEST, detail.isBlank() ? "The request is not valid." : detail));
            case 401 -> Problem.of(ProblemType.UNAUTHORIZED, "Authenticate with a bearer token.");
            case 404 -> Problem.of(ProblemType.NOT_FOUND, "No resource at " + context.getRequest().getPath() + ".");
            case 405 -> Problem.of(ProblemType.METHOD_NOT_ALLOWED,
                    context.getRequest().getMethodName() + " is not allowed on " + context.getRequest().getPath() + ".");
            case 406 -> Problem.of(ProblemType.NOT_ACCEPTABLE, "This resource cannot answer in the requested media type.");
            case 413 -> Problem.of(ProblemType.PAYLOAD_TOO_LARGE, "The body is larger than this endpoint accepts.");
            case 415 -> Problem.of(ProblemType.UNSUPPORTED_MEDIA_TYPE, "Send the body as application/json.");
            case 503 -> Problem.of(ProblemType.UNAVAILABLE, "Temporarily unavailable. Retry shortly.");
            default -> status.getCode() >= 500
                    ? logged(context, Problem.of(ProblemType.INTERNAL, "Something went wrong on our side. Retry; if it persists, report it."))
                    : new Problem(Problem.of(ProblemType.INVALID_REQUEST, detail).type(), status.getReason(),
                            status.getCode(), detail, null);
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
