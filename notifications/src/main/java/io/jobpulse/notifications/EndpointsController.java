package io.jobpulse.notifications;

import io.jobpulse.http.ApiContract;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jobpulse.events.Delivery;
import io.jobpulse.events.DeliveryTypes;
import io.jobpulse.events.Endpoint;
import io.jobpulse.events.EndpointChange;
import io.jobpulse.events.JobJson;
import io.jobpulse.events.Roles;
import io.jobpulse.http.Caller;
import io.jobpulse.http.Problem;
import io.jobpulse.http.ProblemException;
import io.jobpulse.http.ProblemType;
import io.jobpulse.http.ReadDeadline;
import io.jobpulse.http.Routes;
import io.jobpulse.outbound.OutboundRequests;
import io.micronaut.context.annotation.Property;
import io.micronaut.context.annotation.Requires;
import io.micronaut.core.annotation.Introspected;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Patch;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.http.annotation.RequestAttribute;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;

import java.net.URI;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * The endpoints API ({@code /v1/endpoints}): an application registers where it wants to be told of
 * its jobs' changes, and sees what became of each delivery. Reads need {@code jobpulse:jobs:read},
 * changes {@code jobpulse:jobs:submit}; an endpoint belongs to its owner, and one for every owner
 * to administrators. Every change is first an event on {@code jobpulse.endpoints}.
 */
@Tag(name = "Endpoints")
@ApiResponse(responseCode = "401", ref = ApiContract.UNAUTHORIZED)
@ApiResponse(responseCode = "403", ref = ApiContract.FORBIDDEN)
@ApiResponse(responseCode = "429", ref = ApiContract.RATE_LIMITED)
@ApiResponse(responseCode = "503", ref = ApiContract.UNAVAILABLE)
@Controller(Routes.ENDPOINTS)
@Requires(property = Roles.PROPERTY, pattern = Roles.NOTIFICATIONS)
@ExecuteOn(TaskExecutors.BLOCKING)
public class EndpointsController {

    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 100;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Set<String> DELIVERY_STATUSES = Set.of("pending", "retrying", "delivered", "failed");

    /** A page of deliveries, newest first; {@code next} is the cursor of the next page, or null. */
    @Introspected
    public record DeliveryPage(List<EndpointStore.DeliveryRow> deliveries, String next) {
    }

    /** The list of endpoints. */
    @Introspected
    public record EndpointList(List<EndpointView> endpoints) {
    }

    /** A delivery that was asked for (a test, a retry) and is now on its way. */
    @Introspected
    public record DeliveryAccepted(String endpointId, String deliveryId, String type) {
    }

    private final EndpointStore store;
    private final NotificationLog log;
    private final NotificationsRuntime runtime;
    private final NotificationsConfiguration config;
    private final EndpointRules rules;
    private final Clock clock = Clock.systemUTC();
    private final ReadDeadline reads;

    public EndpointsController(EndpointStore store, NotificationLog log, NotificationsRuntime runtime, NotificationsConfiguration config,
                               OutboundRequests outbound,
                               @Property(name = ReadDeadline.PROPERTY, defaultValue = ReadDeadline.DEFAULT) Duration queryTimeout) {
        this.reads = new ReadDeadline(queryTimeout);
        this.store = store;
        this.log = log;
        this.runtime = runtime;
        this.config = config;
        this.rules = new EndpointRules(outbound, config.allowHttp(), config.httpOrigins());
    }

    @Operation(summary = "Register a webhook endpoint", description = """
            Every matching change of the owner's jobs is POSTed to `url`, signed per Standard Webhooks with the `secret` answered here once.""")
    @ApiResponse(responseCode = "201", description = "The endpoint, with its secret (shown once).", content = @Content(mediaType = "application/json", schema = @Schema(implementation = EndpointView.class)))
    @ApiResponse(responseCode = "400", ref = ApiContract.INVALID_REQUEST)
    @ApiResponse(responseCode = "409", ref = ApiContract.CONFLICT)
    @io.micronaut.http.annotation.Status(io.micronaut.http.HttpStatus.CREATED)
    @Post
    public HttpResponse<EndpointView> create(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, @Body EndpointRequest request) {
        caller.require(Caller.Scope.SUBMIT);
        String owner = request.owner() == null && caller.may(Caller.Scope.ADMIN) ? null : caller.ownerFor(request.owner());
        String description = EndpointRules.description(request.description());
        var filter = EndpointRules.filter(request.filter());
        String url = rules.url(request.url());
        if (store.countOwned(owner) >= config.maxEndpointsPerOwner()) {
            throw new ProblemException(Problem.of(ProblemType.CONFLICT, "This owner has " + config.maxEndpointsPerOwner()
                    + " endpoints, the most it may have (jobpulse.notifications.max-endpoints-per-owner); delete one first."));
        }
        Instant now = clock.instant();
        String secret = Signatures.newSecret();
        Endpoint endpoint = new Endpoint("ep_" + HexFormat.of().formatHex(randomBytes(10)), owner, url, description, filter, Endpoint.ACTIVE,
                List.of(new Endpoint.Secret(secret, now, null)), 1, now, now);
        store.create(new EndpointChange("endpoint.created", caller.source(), endpoint, now), log);
        awaitKnown(endpoint);
        return HttpResponse.created(EndpointView.of(new EndpointStore.Row(endpoint, null)).withSecret(secret, null),
                URI.create(Routes.ENDPOINTS + "/" + endpoint.id()));
    }

    @Operation(summary = "List webhook endpoints")
    @ApiResponse(responseCode = "200", description = "The endpoints.", content = @Content(mediaType = "application/json", schema = @Schema(implementation = EndpointList.class)))
    @Get
    public EndpointList list(@RequestAttribute(Caller.ATTRIBUTE) Caller caller,
                             @Parameter(description = "Whose endpoints (an API key bound to no owner, or an admin)") @Nullable @QueryValue String owner) {
        caller.require(Caller.Scope.READ);
        String whose = owner == null && caller.may(Caller.Scope.ADMIN) ? null : caller.ownerFor(owner);
        return reads.read("The endpoint list", () -> new EndpointList(store.list(whose).stream().map(EndpointView::of).toList()));
    }

    @Operation(summary = "Read a webhook endpoint")
    @ApiResponse(responseCode = "200", description = "The endpoint.", content = @Content(mediaType = "application/json", schema = @Schema(implementation = EndpointView.class)))
    @ApiResponse(responseCode = "404", ref = ApiContract.NOT_FOUND)
    @Get(Routes.ENDPOINT)
    public EndpointView get(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, @PathVariable String id) {
        caller.require(Caller.Scope.READ);
        return reads.read("The endpoint", () -> EndpointView.of(visible(caller, id)));
    }

    @Operation(summary = "Change a webhook endpoint", description = """
            Its URL, description or filter.""")
    @ApiResponse(responseCode = "200", description = "The endpoint.", content = @Content(mediaType = "application/json", schema = @Schema(implementation = EndpointView.class)))
    @ApiResponse(responseCode = "400", ref = ApiContract.INVALID_REQUEST)
    @ApiResponse(responseCode = "404", ref = ApiContract.NOT_FOUND)
    @Patch(Routes.ENDPOINT)
    public EndpointView update(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, @PathVariable String id, @Body EndpointRequest request) {
        caller.require(Caller.Scope.SUBMIT);
        if (request.owner() != null) {
            throw EndpointRules.invalid("owner", "An endpoint's owner cannot change; register a new endpoint for another owner.");
        }
        String description = EndpointRules.description(request.description());
        var filter = request.filter() == null ? null : EndpointRules.filter(request.filter());
        String url = request.url() == null ? null : rules.url(request.url());
        return change(caller, id, "endpoint.updated", endpoint -> new Endpoint(endpoint.id(), endpoint.owner(),
                url != null ? url : endpoint.url(), description != null ? description : endpoint.description(),
                filter != null ? filter : endpoint.filter(), endpoint.status(), endpoint.secrets(), endpoint.version() + 1,
                endpoint.createdAt(), clock.instant()));
    }

    @Operation(summary = "Delete a webhook endpoint")
    @ApiResponse(responseCode = "204", description = "Deleted; nothing more is sent to it.")
    @ApiResponse(responseCode = "404", ref = ApiContract.NOT_FOUND)
    @Delete(Routes.ENDPOINT)
    public HttpResponse<Void> delete(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, @PathVariable String id) {
        caller.require(Caller.Scope.SUBMIT);
        change(caller, id, "endpoint.deleted", endpoint -> withStatus(endpoint, Endpoint.DELETED));
        return HttpResponse.noContent();
    }

    @Operation(summary = "Pause deliveries to an endpoint")
    @ApiResponse(responseCode = "200", description = "The endpoint.", content = @Content(mediaType = "application/json", schema = @Schema(implementation = EndpointView.class)))
    @ApiResponse(responseCode = "404", ref = ApiContract.NOT_FOUND)
    @Post(Routes.ENDPOINT_PAUSE)
    public EndpointView pause(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, @PathVariable String id) {
        caller.require(Caller.Scope.SUBMIT);
        return change(caller, id, "endpoint.paused", endpoint -> withStatus(endpoint, Endpoint.PAUSED));
    }

    /** Resumes a paused endpoint, and enables one Jobpulse disabled. */
    @Operation(summary = "Resume deliveries to an endpoint")
    @ApiResponse(responseCode = "200", description = "The endpoint.", content = @Content(mediaType = "application/json", schema = @Schema(implementation = EndpointView.class)))
    @ApiResponse(responseCode = "404", ref = ApiContract.NOT_FOUND)
    @Post(Routes.ENDPOINT_RESUME)
    public EndpointView resume(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, @PathVariable String id) {
        caller.require(Caller.Scope.SUBMIT);
        return change(caller, id, "endpoint.resumed", endpoint -> withStatus(endpoint, Endpoint.ACTIVE));
    }

    /** A new secret signs from now on; the previous one signs beside it for {@code secret-overlap}. */
    @Operation(summary = "Rotate an endpoint's signing secret", description = """
            The new secret (shown once) signs from now on; the previous one signs beside it for the overlap.""")
    @ApiResponse(responseCode = "200", description = "The endpoint, with its new secret.", content = @Content(mediaType = "application/json", schema = @Schema(implementation = EndpointView.class)))
    @ApiResponse(responseCode = "404", ref = ApiContract.NOT_FOUND)
    @Post(Routes.ENDPOINT_ROTATE_SECRET)
    public EndpointView rotateSecret(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, @PathVariable String id) {
        caller.require(Caller.Scope.SUBMIT);
        String secret = Signatures.newSecret();
        Instant now = clock.instant();
        Instant overlapEnds = now.plus(config.secretOverlap());
        EndpointView rotated = change(caller, id, "endpoint.secret-rotated", endpoint -> {
            List<Endpoint.Secret> secrets = new ArrayList<>();
            secrets.add(new Endpoint.Secret(secret, now, null));
            for (Endpoint.Secret old : endpoint.secrets()) {
                Instant ends = old.expiresAt() == null ? overlapEnds : old.expiresAt();
                if (ends.isAfter(now)) {
                    secrets.add(new Endpoint.Secret(old.secret(), old.createdAt(), ends));
                }
            }
            return new Endpoint(endpoint.id(), endpoint.owner(), endpoint.url(), endpoint.description(), endpoint.filter(),
                    endpoint.status(), secrets, endpoint.version() + 1, endpoint.createdAt(), now);
        });
        return rotated.withSecret(secret, overlapEnds);
    }

    /** Sends a {@code ping} delivery, signed like any other. */
    @Operation(summary = "Send a test delivery", description = """
            A `ping` delivery, signed like any other.""")
    @ApiResponse(responseCode = "202", description = "The delivery is queued.", content = @Content(mediaType = "application/json", schema = @Schema(implementation = DeliveryAccepted.class)))
    @ApiResponse(responseCode = "404", ref = ApiContract.NOT_FOUND)
    @Post(Routes.ENDPOINT_TEST)
    public HttpResponse<DeliveryAccepted> test(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, @PathVariable String id) {
        caller.require(Caller.Scope.SUBMIT);
        EndpointStore.Row row = visible(caller, id);
        Instant now = clock.instant();
        ObjectNode data = JobJson.mapper().createObjectNode().put("endpointId", id);
        Delivery ping = new Delivery("msg_" + HexFormat.of().formatHex(randomBytes(16)), id, null, 0, DeliveryTypes.PING,
                FanOut.body(DeliveryTypes.PING, now, data), now, false);
        log.write(ping);
        return HttpResponse.accepted().body(new DeliveryAccepted(row.endpoint().id(), ping.id(), ping.type()));
    }

    @Operation(summary = "List an endpoint's deliveries", description = """
            Newest first: status, attempts, the last answer.""")
    @ApiResponse(responseCode = "200", description = "A page of deliveries.", content = @Content(mediaType = "application/json", schema = @Schema(implementation = DeliveryPage.class)))
    @ApiResponse(responseCode = "400", ref = ApiContract.INVALID_REQUEST)
    @ApiResponse(responseCode = "404", ref = ApiContract.NOT_FOUND)
    @Get(Routes.ENDPOINT_DELIVERIES)
    public DeliveryPage deliveries(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, @PathVariable String id,
                                   @Parameter(description = "pending, retrying, delivered or failed") @Nullable @QueryValue String status,
                                   @Parameter(description = "Page size") @Nullable @QueryValue Integer limit,
                                   @Parameter(description = "The next of the previous page") @Nullable @QueryValue String cursor) {
        caller.require(Caller.Scope.READ);
        reads.read("The endpoint", () -> visible(caller, id));
        if (status != null && !DELIVERY_STATUSES.contains(status)) {
            throw EndpointRules.invalid("status", "'" + status + "' is not a delivery status; use pending, retrying, delivered or failed.");
        }
        int size = limit == null ? DEFAULT_LIMIT : limit;
        if (size < 1 || size > MAX_LIMIT) {
            throw EndpointRules.invalid("limit", "'limit' must be 1 to " + MAX_LIMIT + ".");
        }
        Instant beforeCreated = null;
        String beforeId = null;
        if (cursor != null) {
            int dot = cursor.indexOf('.');
            try {
                beforeCreated = Instant.ofEpochMilli(Long.parseLong(cursor.substring(0, dot))).plusNanos(
                        Long.parseLong(cursor.substring(dot + 1, cursor.indexOf('_', dot))));
                beforeId = cursor.substring(cursor.indexOf('_', dot) + 1);
            } catch (RuntimeException e) {
                throw EndpointRules.invalid("cursor", "'cursor' is not one this API gave; use the 'next' of the previous page.");
            }
        }
        Instant before = beforeCreated;
        String beforeOf = beforeId;
        List<EndpointStore.DeliveryRow> rows = reads.read("The endpoint's deliveries",
                () -> store.deliveries(id, status, before, beforeOf, size + 1));
        List<EndpointStore.DeliveryRow> page = rows.subList(0, Math.min(size, rows.size()));
        String next = null;
        if (rows.size() > size) {
            Instant last = page.getLast().createdAt();
            next = last.toEpochMilli() + "." + (last.getNano() % 1_000_000) + "_" + page.getLast().id();
        }
        return new DeliveryPage(page, next);
    }

    /** Sends a delivery again at once, whatever became of it, with the same {@code webhook-id}. */
    @Operation(summary = "Send a delivery again", description = """
            At once, with the same `webhook-id`.""")
    @ApiResponse(responseCode = "202", description = "The delivery is queued.", content = @Content(mediaType = "application/json", schema = @Schema(implementation = DeliveryAccepted.class)))
    @ApiResponse(responseCode = "404", ref = ApiContract.NOT_FOUND)
    @ApiResponse(responseCode = "409", ref = ApiContract.CONFLICT)
    @Post(Routes.ENDPOINT_DELIVERY_RETRY)
    public HttpResponse<DeliveryAccepted> retry(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, @PathVariable String id,
                                                @PathVariable String deliveryId) {
        caller.require(Caller.Scope.SUBMIT);
        visible(caller, id);
        EndpointStore.DeliveryRow row = store.delivery(id, deliveryId)
                .orElseThrow(() -> new ProblemException(ProblemType.NOT_FOUND, "No delivery " + deliveryId + " of endpoint " + id + "."));
        if (row.payload() == null) {
            throw new ProblemException(ProblemType.CONFLICT, "Delivery " + deliveryId + " has no body on record to send again"
                    + " (its first report was not kept); the job's next change will be delivered as usual.");
        }
        log.write(new Delivery(row.id(), id, row.jobId(), row.version(), row.type(), row.payload(), row.createdAt(), true));
        return HttpResponse.accepted().body(new DeliveryAccepted(id, row.id(), row.type()));
    }

    private EndpointView change(Caller caller, String id, String changeName, UnaryOperator<Endpoint> next) {
        EndpointStore.Row changed = store.change(id, row -> visibleTo(caller, row) ? row : null, next, changeName, caller.source(), log)
                .orElseThrow(() -> notFound(id));
        awaitKnown(changed.endpoint());
        return EndpointView.of(changed);
    }

    private EndpointStore.Row visible(Caller caller, String id) {
        return store.find(id).filter(row -> visibleTo(caller, row)).orElseThrow(() -> notFound(id));
    }

    /** An owner's endpoints are its own; one for every owner is an administrator's. */
    private static boolean visibleTo(Caller caller, EndpointStore.Row row) {
        String owner = row.endpoint().owner();
        return caller.may(Caller.Scope.ADMIN) || (owner != null && (caller.owner() == null || caller.owner().equals(owner)));
    }

    private static ProblemException notFound(String id) {
        return new ProblemException(ProblemType.NOT_FOUND, "No endpoint " + id + ".");
    }

    /** Waits, boundedly, until this instance's deliveries know the endpoint as it now is. */
    private void awaitKnown(Endpoint endpoint) {
        long until = System.nanoTime() + config.registrationWait().toNanos();
        while (!runtime.knows(endpoint.id(), endpoint.version()) && System.nanoTime() < until) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static Endpoint withStatus(Endpoint endpoint, String status) {
        return new Endpoint(endpoint.id(), endpoint.owner(), endpoint.url(), endpoint.description(), endpoint.filter(), status,
                endpoint.secrets(), endpoint.version() + 1, endpoint.createdAt(), Instant.now());
    }

    private static byte[] randomBytes(int count) {
        byte[] bytes = new byte[count];
        RANDOM.nextBytes(bytes);
        return bytes;
    }
}
