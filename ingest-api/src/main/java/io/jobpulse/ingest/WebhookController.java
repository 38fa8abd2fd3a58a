package io.jobpulse.ingest;

import io.jobpulse.http.ApiContract;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import com.fasterxml.jackson.databind.JsonNode;
import io.jobpulse.events.EventSource;
import io.jobpulse.events.JobEvent;
import io.jobpulse.events.ProviderObservation;
import io.jobpulse.events.RawPayload;
import io.jobpulse.events.Topics;
import io.jobpulse.http.JobIds;
import io.jobpulse.http.Problem;
import io.jobpulse.http.ProblemException;
import io.jobpulse.http.ProblemType;
import io.jobpulse.http.Routes;
import io.jobpulse.outbound.OutboundUrl;
import io.jobpulse.ingest.webhooks.Providers;
import io.jobpulse.ingest.webhooks.StandardWebhookSignature;
import io.jobpulse.ingest.webhooks.WebhookSignature;
import io.micronaut.context.annotation.Requires;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/**
 * {@code POST /v1/webhooks/{provider}}: provider callbacks. Authenticated by the provider's
 * signature alone, checked on the raw body bytes; a bad, missing or stale signature is 401 and
 * nothing is written. A verified callback becomes one {@code job.callback-received} event with
 * the adapter's reading, the verdict, and the relevant headers and body as received, and is
 * answered 200 as soon as Kafka has it; no other service is called on the way. Its event id is
 * derived from the provider's delivery id, and the fold applies a delivery once, so a
 * redelivered webhook is answered 200 again and changes nothing.
 *
 * <p>The job is named in the callback URL Jobpulse hands out at submission
 * ({@code links.webhook}: {@code /v1/webhooks/{provider}?job=<id>&token=<token>}); the token is
 * an HMAC of the provider and the job id under the server-side key ({@link SigningKey}), so a
 * delivery signed for one job cannot be pointed at another job's URL: a {@code ?job=} without
 * the token of that job and provider is 401 and nothing is written. A callback without
 * {@code ?job=} (a provider's one webhook URL for all requests) is routed by the provider's
 * request id that its adapter reads, through {@code jobpulse.provider-callbacks} and the
 * topology's callback router. Either way the fold refuses a callback about another provider
 * request than the one its job holds ({@code request-mismatch}).
 *
 * <p>The event keeps the headers that say what was delivered and when (content type, user agent,
 * delivery id and timestamp, under Standard Webhooks', Svix's or fal's names), never a signature:
 * the raw history is shown to the job's owner, and a signature there would let it replay the
 * delivery.
 */
@Tag(name = "Provider webhooks")
@Controller(Routes.WEBHOOKS)
@Requires(beans = JobEventPublisher.class)
@ExecuteOn(TaskExecutors.BLOCKING)
public class WebhookController {

    /** The headers kept with a callback (lower case): what was delivered and when, no signature, no account. */
    static final Set<String> KEPT_HEADERS = Set.of("content-type", "user-agent",
            StandardWebhookSignature.STANDARD.id(), StandardWebhookSignature.STANDARD.timestamp(),
            StandardWebhookSignature.SVIX.id(), StandardWebhookSignature.SVIX.timestamp(),
            "x-fal-webhook-request-id", "x-fal-webhook-timestamp");

    private final Providers providers;
    private final JobEventPublisher publisher;
    private final SigningKey signingKey;
    private final IngestMetrics metrics;
    private final Clock clock = Clock.systemUTC();

    public WebhookController(Providers providers, JobEventPublisher publisher, SigningKey signingKey, IngestMetrics metrics) {
        this.providers = providers;
        this.publisher = publisher;
        this.signingKey = signingKey;
        this.metrics = metrics;
    }

    @Operation(summary = "Receive a provider's callback", description = """
            Authenticated by the provider's signature over the raw body alone. `job` and `token` come from the webhook URL the submission answered (`links.webhook`); without them the callback is routed by the provider's request id. A redelivery is answered 200 again and changes nothing.""")
    @SecurityRequirement(name = ApiContract.PROVIDER_SIGNATURE)
    @ApiResponse(responseCode = "200", description = "The callback's event is in Kafka.", content = @Content(mediaType = "application/json", schema = @Schema(type = "object"), examples = @ExampleObject(value = "{\"jobId\": \"019a…\", \"eventId\": \"…\", \"event\": \"job.callback-received\"}")))
    @ApiResponse(responseCode = "400", ref = ApiContract.INVALID_REQUEST)
    @ApiResponse(responseCode = "401", ref = ApiContract.UNAUTHORIZED)
    @ApiResponse(responseCode = "404", ref = ApiContract.NOT_FOUND)
    @ApiResponse(responseCode = "413", ref = ApiContract.PAYLOAD_TOO_LARGE)
    @ApiResponse(responseCode = "503", ref = ApiContract.UNAVAILABLE)
    @Post(value = Routes.WEBHOOK, consumes = MediaType.ALL)
    public HttpResponse<Map<String, Object>> receive(@PathVariable String provider, @Parameter(description = "The job, as in the submission's webhook URL") @Nullable @QueryValue String job,
                                                     @Parameter(description = "The job's token for this provider, as in the webhook URL") @Nullable @QueryValue String token, @Parameter(hidden = true) HttpHeaders headers,
                                                     @Nullable @Body byte[] body) {
        Providers.Provider configured = providers.find(provider).orElseThrow(() -> new ProblemException(ProblemType.NOT_FOUND,
                "No provider '" + provider + "' is configured for callbacks (jobpulse.providers." + provider + ")."));
        byte[] raw = body == null ? new byte[0] : body;
        Map<String, String> lowerCase = new TreeMap<>();
        headers.forEach((name, values) -> lowerCase.put(name.toLowerCase(Locale.ROOT), values.getFirst()));
        Instant now = clock.instant();
        if (configured.signature() == null) {
            metrics.verification(provider, IngestMetrics.Verdict.NO_KEY);
            throw new ProblemException(Problem.of(ProblemType.UNAUTHORIZED, "Provider '" + provider
                    + "' takes no callbacks: it has no secret or key configured to check them with.").with("provider", provider));
        }
        if (job != null && !JobIds.isWellFormed(job)) {
            throw new ProblemException(Problem.of(ProblemType.INVALID_REQUEST, "'job' is not a job id.").with("field", "job"));
        }
        if (job != null && !signingKey.verifiesWebhookToken(provider, job, token)) {
            metrics.verification(provider, IngestMetrics.Verdict.BAD_TOKEN);
            throw new ProblemException(Problem.of(ProblemType.UNAUTHORIZED, "The callback URL names job " + job + " without"
                    + " its token for provider '" + provider + "': use the job's webhook URL exactly as the submission"
                    + " answered it (links.webhook, webhooks." + provider + "), or the provider's URL without ?job= to"
                    + " route by request id.").with("provider", provider).with("field", "token"));
        }
        WebhookSignature.Verified verified = switch (configured.signature().verify(lowerCase, raw, now)) {
            case WebhookSignature.Verified ok -> ok;
            case WebhookSignature.Rejected rejected -> {
                metrics.verification(provider, IngestMetrics.Verdict.BAD_SIGNATURE);
                throw new ProblemException(Problem.of(ProblemType.UNAUTHORIZED,
                        "The callback's signature was not accepted: " + rejected.reason() + ".").with("provider", provider));
            }
        };
        metrics.verification(provider, IngestMetrics.Verdict.VERIFIED);
        JsonNode payload = ProviderBody.read(raw);
        ProviderObservation observation = configured.adapter().observe(payload);
        if (observation.requestId() != null && observation.requestId().chars().anyMatch(Character::isISOControl)) {
            // An id that could forge lines in logs or terminals is no provider's.
            throw new ProblemException(Problem.of(ProblemType.INVALID_REQUEST, "The callback's provider request id contains"
                    + " control characters.").with("provider", provider));
        }
        if (observation.statusUrl() != null && !isStatusUrl(configured, observation.statusUrl())) {
            // A status URL in a payload starts a poll only when it is one of the provider's configured status URLs.
            observation = observation.withStatusUrl(null);
        }
        if (observation.status() == null && observation.statusUrl() == null && observation.requestId() != null
                && configured.status() != null) {
            observation = observation.withStatusUrl(configured.status().url(observation.requestId()));
        }
        String deliveryId = verified.deliveryId();
        String eventId = UUID.nameUUIDFromBytes((provider + ":" + deliveryId).getBytes(StandardCharsets.UTF_8)).toString();
        var event = new JobEvent.CallbackReceived(eventId, job == null ? "" : job, verified.sentAt(), now,
                EventSource.provider(provider), provider, deliveryId, verified.how(), observation,
                new RawPayload(relevant(lowerCase), payload));
        if (job != null) {
            publisher.publish(event);
            return HttpResponse.ok(Map.of("jobId", job, "eventId", event.eventId(), "event", event.wireName()));
        }
        if (observation.requestId() == null) {
            throw new ProblemException(Problem.of(ProblemType.INVALID_REQUEST, "The callback names no job (the webhook link of a"
                    + " submission carries ?job=<id>) and no provider request id Jobpulse could route it by.").with("field", "job"));
        }
        publisher.route(Topics.providerRequestKey(provider, observation.requestId()), event);
        return HttpResponse.ok(Map.of("requestId", observation.requestId(), "eventId", event.eventId(), "event", event.wireName()));
    }

    private static boolean isStatusUrl(Providers.Provider provider, String url) {
        try {
            return provider.statusUrlOf(OutboundUrl.parse(url)).isPresent();
        } catch (OutboundUrl.Invalid e) {
            return false;
        }
    }

    /** The headers worth keeping with the callback: {@link #KEPT_HEADERS}. */
    private static Map<String, String> relevant(Map<String, String> headers) {
        Map<String, String> kept = new TreeMap<>();
        headers.forEach((name, value) -> {
            if (KEPT_HEADERS.contains(name)) {
                kept.put(name, value);
            }
        });
        return kept;
    }
}
