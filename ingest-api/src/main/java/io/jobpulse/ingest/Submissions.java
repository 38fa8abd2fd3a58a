package io.jobpulse.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import io.jobpulse.events.EventSource;
import io.jobpulse.events.JobEvent;
import io.jobpulse.events.JobLimits;
import io.jobpulse.events.JobPoll;
import io.jobpulse.events.JobProvider;
import io.jobpulse.http.Caller;
import io.jobpulse.http.Problem;
import io.jobpulse.http.ProblemException;
import io.jobpulse.http.ProblemType;
import io.jobpulse.ingest.webhooks.Providers;
import io.jobpulse.outbound.OutboundRequests;
import io.jobpulse.outbound.OutboundUrl;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The checks of one job's submission, whether it comes alone ({@code POST /v1/jobs}) or as one of
 * a batch's jobs: written once, so that a job is accepted on the same terms either way. A refusal
 * names the field at fault with the prefix it was given, e.g. {@code jobs[3].type} for the fourth
 * job of a batch.
 */
@Singleton
@Requires(beans = JobEventPublisher.class)
class Submissions {

    /** An owner: a JWT subject or a name an API key acts for. */
    private static final Pattern OWNER = Pattern.compile("[^\\p{Cntrl}]{1,200}");
    private static final Pattern JOB_TYPE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/-]{0,99}");
    private static final Duration MAX_TIMEOUT = Duration.ofDays(365);
    private static final Duration MIN_POLL_INTERVAL = Duration.ofMillis(100);

    private final IngestConfiguration config;
    private final Providers providers;
    private final OutboundRequests outbound;
    private final FieldLimits limits;

    Submissions(IngestConfiguration config, Providers providers, OutboundRequests outbound, JobLimits limits) {
        this.config = config;
        this.providers = providers;
        this.outbound = outbound;
        this.limits = new FieldLimits(limits);
    }

    /** A submission that passed every check, ready to become its {@code job.submitted} event. */
    record Checked(String owner, String type, JsonNode input, Map<String, JsonNode> metadata, List<String> tags,
                   Duration timeout, JobPoll poll, JobProvider provider) {

        JobEvent.Submitted submitted(String jobId, Instant now, EventSource source, String batchId) {
            return new JobEvent.Submitted(Ids.next(), jobId, now, now, source, owner, type, input, metadata, tags, timeout,
                    poll, provider, batchId);
        }

        /** The provider the submission names (its own or its poll's), or null. */
        String providerName() {
            return provider != null ? provider.name() : poll != null ? poll.provider() : null;
        }
    }

    /** The owner a request acts for ({@link Caller#ownerFor}), checked. */
    static String owner(Caller caller, String named) {
        String owner = caller.ownerFor(named);
        if (!OWNER.matcher(owner).matches()) {
            throw invalid("owner", "'owner' is 1-200 characters without control characters.");
        }
        return owner;
    }

    static void checkIdempotencyKey(String idempotencyKey) {
        if (idempotencyKey != null && (idempotencyKey.isBlank() || idempotencyKey.length() > 200)) {
            throw invalid("Idempotency-Key", "The Idempotency-Key header must be 1-200 characters.");
        }
    }

    /**
     * Checks one submission for an owner already decided.
     *
     * @param prefix what names the submission's fields in the body, e.g. {@code jobs[3].}; empty for a body of its own
     */
    Checked check(SubmitJobRequest request, String prefix, String owner) {
        if (request.type() == null || !JOB_TYPE.matcher(request.type()).matches()) {
            throw invalid(prefix + "type", "'" + prefix + "type' is required: 1-100 characters of letters, digits and . _ / -,"
                    + " e.g. \"image.generate\".");
        }
        limits.checkSubmission(prefix, request);
        if (request.timeout() != null && (request.timeout().isNegative() || request.timeout().isZero()
                || request.timeout().compareTo(MAX_TIMEOUT) > 0)) {
            throw invalid(prefix + "timeout", "'" + prefix + "timeout' must be a positive ISO-8601 duration such as \"PT10M\", at most P365D.");
        }
        Duration timeout = config.timeoutFor(request.type(), request.timeout());
        JobPoll poll = request.poll() == null ? null : poll(request.poll(), prefix + "poll.");
        JobProvider provider = request.provider() == null ? null : provider(request.provider(), prefix);
        List<String> tags = request.tags() == null ? List.of() : request.tags();
        return new Checked(owner, request.type(), request.input(), request.metadata(), tags, timeout, poll, provider);
    }

    /** Checks a batch's (or a batch's job's) tags and metadata as a job's are. */
    void checkLabels(String prefix, List<String> tags, Map<String, JsonNode> metadata) {
        limits.checkLabels(prefix, tags, metadata);
    }

    /** A checked poll request; {@code field} prefixes the names of fields at fault (e.g. {@code poll.}). */
    JobPoll poll(PollRequest request, String field) {
        Providers.Provider provider = request.provider() == null ? null : providers.find(request.provider()).orElse(null);
        if (provider == null) {
            throw invalid(field + "provider", "'provider' must name a configured provider (jobpulse.providers.<name>).");
        }
        if (request.credential() != null) {
            throw invalid(field + "credential", "'credential' is not accepted: the credential sent to a status URL is chosen by"
                    + " provider " + provider.name() + "'s configuration (jobpulse.providers." + provider.name()
                    + ".status-urls.<name>.credential). Send the poll without it.");
        }
        limits.checkStatusUrl(field + "statusUrl", request.statusUrl());
        OutboundUrl statusUrl;
        try {
            statusUrl = OutboundUrl.parse(request.statusUrl());
        } catch (OutboundUrl.Invalid e) {
            throw invalid(field + "statusUrl", "'statusUrl' must be an absolute http or https URL of provider " + provider.name()
                    + ", but " + e.getMessage() + ".");
        }
        if (provider.statusUrlOf(statusUrl).isEmpty()) {
            throw invalid(field + "statusUrl", provider.statusUrls().isEmpty()
                    ? "Provider " + provider.name() + " has no status URLs configured (jobpulse.providers." + provider.name()
                            + ".status-url or .status-urls.<name>.url), so its jobs cannot be polled."
                    : "'statusUrl' must be one of provider " + provider.name() + "'s status URLs, with the request id in place of"
                            + " {requestId}: " + provider.statusTemplates() + " (same scheme, host and port; other paths are refused).");
        }
        try {
            outbound.checkAddresses(statusUrl);
        } catch (OutboundRequests.Refused e) {
            throw invalid(field + "statusUrl", "'statusUrl' cannot be polled: " + e.getMessage() + ".");
        }
        Duration interval = request.interval() == null ? JobPoll.DEFAULT_INTERVAL : request.interval();
        if (interval.compareTo(MIN_POLL_INTERVAL) < 0 || interval.compareTo(Duration.ofHours(1)) > 0) {
            throw invalid(field + "interval", "'interval' must be an ISO-8601 duration from PT0.1S to PT1H.");
        }
        if (request.quietFor() != null && (request.quietFor().compareTo(Duration.ofSeconds(1)) < 0
                || request.quietFor().compareTo(Duration.ofHours(24)) > 0)) {
            throw invalid(field + "quietFor", "'quietFor' must be an ISO-8601 duration from PT1S to PT24H.");
        }
        return new JobPoll(provider.name(), statusUrl.toString(), null, interval, request.quietFor());
    }

    private JobProvider provider(SubmitJobRequest.ProviderRequest request, String prefix) {
        if (request.name() == null || providers.find(request.name()).isEmpty()) {
            throw invalid(prefix + "provider.name", "'provider.name' must name a configured provider (jobpulse.providers.<name>).");
        }
        if (request.requestId() == null || request.requestId().isBlank() || request.requestId().length() > 200
                || request.requestId().chars().anyMatch(Character::isISOControl)) {
            throw invalid(prefix + "provider.requestId", "'provider.requestId' is the provider's id of the request, 1-200 characters"
                    + " and no control characters.");
        }
        return new JobProvider(request.name(), request.requestId(), null);
    }

    static ProblemException invalid(String field, String detail) {
        return new ProblemException(Problem.of(ProblemType.INVALID_REQUEST, detail).with("field", field));
    }
}
