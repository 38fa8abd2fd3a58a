package io.jobpulse.app.security;

import io.jobpulse.http.ApiContract;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.jobpulse.events.JobState;
import io.jobpulse.http.Caller;
import io.jobpulse.http.JobStateReader;
import io.jobpulse.http.Problem;
import io.jobpulse.http.ProblemException;
import io.jobpulse.http.ProblemType;
import io.jobpulse.http.Routes;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.RequestAttribute;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;

import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code POST /v1/stream-tokens}: a short-lived token for a browser's EventSource or WebSocket,
 * which cannot send an Authorization header. {@code {"jobs": [...]}} scopes it to those jobs,
 * {@code {"filter": {}}} (or an empty body) to all of the owner's jobs; it allows one connect to a
 * stream, nothing else.
 */
@Tag(name = "Streams")
@ApiResponse(responseCode = "401", ref = ApiContract.UNAUTHORIZED)
@ApiResponse(responseCode = "403", ref = ApiContract.FORBIDDEN)
@ApiResponse(responseCode = "429", ref = ApiContract.RATE_LIMITED)
@ApiResponse(responseCode = "503", ref = ApiContract.UNAVAILABLE)
@Controller(Routes.STREAM_TOKENS)
@ExecuteOn(TaskExecutors.BLOCKING)
public class StreamTokenController {

    static final int MAX_JOBS = 100;

    /** The request: some jobs, or a filter (all of the owner's jobs); {@code owner} for a key bound to none. */
    public record TokenRequest(@Nullable List<String> jobs, @Nullable Object filter, @Nullable String owner) {
    }

    /** The answer: the token, shown once, and what it allows. */
    public record TokenIssued(String token, Instant expiresAt, String owner, Set<String> jobs) {
    }

    private final StreamTokens tokens;
    private final JobStateReader states;

    public StreamTokenController(StreamTokens tokens, JobStateReader states) {
        this.tokens = tokens;
        this.states = states;
    }

    @Operation(summary = "Get a stream token for a browser", description = """
            `{\"jobs\": [...]}` (at most 100, of one owner) scopes it to those jobs; `{\"filter\": {}}` or no body to all of the owner's jobs. Pass it as `?token=` to the streams and the WebSocket.""")
    @ApiResponse(responseCode = "201", description = "The token, shown once.", content = @Content(mediaType = "application/json", schema = @Schema(implementation = TokenIssued.class)))
    @ApiResponse(responseCode = "400", ref = ApiContract.INVALID_REQUEST)
    @ApiResponse(responseCode = "404", ref = ApiContract.NOT_FOUND)
    @Post
    public HttpResponse<TokenIssued> issue(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, @Nullable @Body TokenRequest request) {
        caller.require(Caller.Scope.READ);
        List<String> named = request == null || request.jobs() == null ? List.of() : request.jobs();
        if (named.size() > MAX_JOBS) {
            throw new ProblemException(Problem.of(ProblemType.INVALID_REQUEST, "A token covers at most " + MAX_JOBS
                    + " jobs; for more, ask for all of the owner's jobs with {\"filter\": {}}.").with("field", "jobs"));
        }
        if (request != null && request.jobs() != null && named.isEmpty()) {
            throw new ProblemException(Problem.of(ProblemType.INVALID_REQUEST,
                    "'jobs' names at least one job; for all of the owner's jobs send {\"filter\": {}}.").with("field", "jobs"));
        }
        Set<String> jobs = new LinkedHashSet<>();
        String owner = null;
        for (String id : named) {
            JobState job = id == null || id.length() > 128 ? null : states.current(id).filter(state -> caller.sees(state.owner(), id)).orElse(null);
            if (job == null) {
                throw new ProblemException(ProblemType.NOT_FOUND, "No job " + id + ".");
            }
            if (owner != null && !owner.equals(job.owner())) {
                throw new ProblemException(Problem.of(ProblemType.INVALID_REQUEST,
                        "A token covers the jobs of one owner; ask for one token per owner.").with("field", "jobs"));
            }
            owner = job.owner();
            jobs.add(id);
        }
        if (owner == null) {
            owner = caller.ownerFor(request == null ? null : request.owner());
        }
        StreamTokens.Issued issued = tokens.issue(owner, jobs, caller.source().key());
        return HttpResponse.created(new TokenIssued(issued.token(), issued.expiresAt(), owner, jobs));
    }
}
