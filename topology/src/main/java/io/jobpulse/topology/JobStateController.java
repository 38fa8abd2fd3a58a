package io.jobpulse.topology;

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
import io.jobpulse.http.Problem;
import io.jobpulse.http.ProblemException;
import io.jobpulse.http.ProblemType;
import io.jobpulse.http.Routes;
import io.micronaut.context.annotation.Requires;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.http.annotation.RequestAttribute;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.function.Function;

/**
 * {@code GET /v1/jobs/{id}}: the current state of one job, from the state store.
 *
 * <p>Long-poll, for clients that can hold neither a stream nor a socket:
 * {@code ?waitForVersionAfter=N&timeout=30s} answers as soon as the job's version exceeds N, or
 * with the current state when the timeout (at most {@link #MAX_WAIT}) passes. The wait holds no
 * thread: the store is read again every {@link #RECHECK}.
 *
 * <p>A job whose partition another topology instance holds is read there ({@link PeerReads}) and
 * its owner checked here; a long-poll for it waits there. The caller cannot tell the difference.
 */
@Tag(name = "Jobs")
@ApiResponse(responseCode = "401", ref = ApiContract.UNAUTHORIZED)
@ApiResponse(responseCode = "403", ref = ApiContract.FORBIDDEN)
@ApiResponse(responseCode = "429", ref = ApiContract.RATE_LIMITED)
@ApiResponse(responseCode = "503", ref = ApiContract.UNAVAILABLE)
@Controller(Routes.JOBS)
@Requires(beans = InteractiveQueries.class)
public class JobStateController {

    static final Duration MAX_WAIT = Duration.ofSeconds(60);
    static final Duration DEFAULT_WAIT = Duration.ofSeconds(30);
    static final Duration RECHECK = Duration.ofMillis(50);

    private final InteractiveQueries queries;
    private final PeerReads peers;

    public JobStateController(InteractiveQueries queries, PeerReads peers) {
        this.queries = queries;
        this.peers = peers;
    }

    @Operation(summary = "Read a job's current state", description = """
            From the Kafka Streams state store. Long-poll: with `waitForVersionAfter=N` it answers as soon as the version exceeds N, or with the current state after `timeout`.""")
    @ApiResponse(responseCode = "200", description = "The job's state.", content = @Content(mediaType = "application/json", schema = @Schema(implementation = JobState.class)))
    @ApiResponse(responseCode = "400", ref = ApiContract.INVALID_REQUEST)
    @ApiResponse(responseCode = "404", ref = ApiContract.NOT_FOUND)
    @Get(Routes.JOB)
    @ExecuteOn(TaskExecutors.BLOCKING)
    public Mono<JobState> get(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, @PathVariable String id,
                              @Parameter(description = "Long-poll: wait until the version exceeds this") @Nullable @QueryValue Long waitForVersionAfter, @Parameter(description = "How long to wait, e.g. 30s or PT30S, at most 60s (default 30s)") @Nullable @QueryValue String timeout) {
        caller.require(Caller.Scope.READ);
        Duration wait = wait(timeout);
        InteractiveQueries.Placement placement = queries.locate(id);
        if (!placement.here() && !caller.isPeer()) {
            return Mono.just(elsewhere(caller, placement, id, waitForVersionAfter, wait));
        }
        Function<String, JobState> reader = caller.isPeer() ? forPeer(placement) : this::find;
        JobState current = caller.isPeer() ? reader.apply(id) : peers.readHere(placement, id).orElseThrow(() -> notFound(id));
        if (!caller.sees(current.owner(), id)) {
            throw notFound(id);
        }
        if (waitForVersionAfter == null || current.version() > waitForVersionAfter) {
            return Mono.just(current);
        }
        return Flux.interval(RECHECK)
                .map(tick -> reader.apply(id))
                .filter(state -> state.version() > waitForVersionAfter)
                .next()
                .timeout(wait, Mono.fromCallable(() -> reader.apply(id)));
    }

    /** A job another instance holds: read there, checked here, and waited for there. */
    private JobState elsewhere(Caller caller, InteractiveQueries.Placement placement, String id, Long waitForVersionAfter, Duration wait) {
        JobState current = peers.read(placement, id).orElseThrow(() -> notFound(id));
        if (!caller.sees(current.owner(), id)) {
            throw notFound(id);
        }
        if (waitForVersionAfter == null || current.version() > waitForVersionAfter) {
            return current;
        }
        return peers.read(placement, id, waitForVersionAfter, wait).orElseThrow(() -> notFound(id));
    }

    /**
     * Asked by another instance, this one answers at once from whatever copy it has: its active one
     * (which alone may say there is no such job), else its standby.
     */
    private Function<String, JobState> forPeer(InteractiveQueries.Placement placement) {
        return placement.here() ? job -> queries.findNow(job).orElseThrow(() -> notFound(job)) : queries::findInCopy;
    }

    private JobState find(String id) {
        return queries.find(id).orElseThrow(() -> notFound(id));
    }

    private static ProblemException notFound(String id) {
        return new ProblemException(ProblemType.NOT_FOUND, "No job " + id + ".");
    }

    private static Duration wait(String timeout) {
        if (timeout == null) {
            return DEFAULT_WAIT;
        }
        Duration wait;
        try {
            wait = timeout.startsWith("P") || timeout.startsWith("p") ? Duration.parse(timeout)
                    : Duration.ofMillis(Math.round(Double.parseDouble(timeout.replaceFirst("(?i)s$", "")) * 1000));
        } catch (DateTimeParseException | NumberFormatException e) {
            wait = Duration.ZERO;
        }
        if (wait.isNegative() || wait.isZero() || wait.compareTo(MAX_WAIT) > 0) {
            throw new ProblemException(Problem.of(ProblemType.INVALID_REQUEST,
                    "'timeout' is how long to wait, in seconds such as 30s (or ISO-8601 such as PT30S), at most "
                            + MAX_WAIT.toSeconds() + "s.").with("field", "timeout"));
        }
        return wait;
    }
}
