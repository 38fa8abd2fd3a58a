package io.jobpulse.http;

import java.util.Arrays;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The public HTTP paths, named once: the controllers are mapped with these constants, and the
 * rules that depend on a path (which endpoints take stream tokens, which body limit applies) test
 * against them, so renaming a route cannot silently change who may call it.
 */
public final class Routes {

    public static final String JOBS = "/v1/jobs";
    public static final String JOB = "/{id}";
    public static final String JOB_REPORTS = "/{id}/reports";
    public static final String JOB_CANCEL = "/{id}/cancel";
    public static final String JOB_RETRY = "/{id}/retry";
    public static final String JOB_POLL = "/{id}/poll";
    public static final String JOB_HISTORY = "/{id}/history";
    public static final String JOBS_SUMMARY = "/summary";
    public static final String JOB_STREAM = "/v1/jobs/{id}/stream";
    /** Batches of jobs; the rest are relative to it. */
    public static final String BATCHES = "/v1/batches";
    public static final String BATCH = "/{id}";
    /** The batch's jobs from the read model (projections). */
    public static final String BATCH_JOBS = "/{id}/jobs";
    /** The batch's members as its fold last saw each, from the topology's store. */
    public static final String BATCH_MEMBERS = "/{id}/members";
    /** A batch's changes as they happen (push, Server-Sent Events). */
    public static final String BATCH_STREAM = "/v1/batches/{id}/stream";
    public static final String BATCH_CLOSE = "/{id}/close";
    public static final String BATCH_CANCEL = "/{id}/cancel";
    public static final String STREAM = "/v1/stream";
    public static final String SOCKET = "/v1/ws";
    public static final String WEBHOOKS = "/v1/webhooks";
    public static final String WEBHOOK = "/{provider}";
    public static final String STREAM_TOKENS = "/v1/stream-tokens";
    /** Outbound webhook endpoints; the rest are relative to it. */
    public static final String ENDPOINTS = "/v1/endpoints";
    public static final String ENDPOINT = "/{id}";
    public static final String ENDPOINT_ROTATE_SECRET = "/{id}/rotate-secret";
    public static final String ENDPOINT_TEST = "/{id}/test";
    public static final String ENDPOINT_PAUSE = "/{id}/pause";
    public static final String ENDPOINT_RESUME = "/{id}/resume";
    public static final String ENDPOINT_DELIVERIES = "/{id}/deliveries";
    public static final String ENDPOINT_DELIVERY_RETRY = "/{id}/deliveries/{deliveryId}/retry";
    /** The dashboard's page; its styles and scripts are under {@link #DASHBOARD_FILES}. */
    public static final String DASHBOARD = "/";
    public static final String DASHBOARD_FILES = "/dashboard/{file}";
    /** The JavaScript client, an ES module and its types, for pages to import without a build step. */
    public static final String CLIENT_FILES = "/client/{file}";
    /** Dev's users with a fresh token each, for the dashboard's sign-in; served only by {@code ./jobpulse dev}. */
    public static final String DEV_SIGN_IN = "/dev/sign-in";

    private Routes() {
    }

    /** The value of a template's one variable in a path that matches it, e.g. the job id of a job's stream. */
    public static Optional<String> variable(String template, String path) {
        Matcher matcher = Pattern.compile(Pattern.quote(template).replaceAll("\\{[^}]+}", "\\\\E([^/]+)\\\\Q")).matcher(path);
        return matcher.matches() ? Optional.of(matcher.group(1)) : Optional.empty();
    }

    /** A matcher of request paths for route templates, where each {@code {variable}} is one path segment. */
    public static Pattern pattern(String... templates) {
        return Pattern.compile(String.join("|", Arrays.stream(templates)
                .map(template -> Pattern.quote(template).replaceAll("\\{[^}]+}", "\\\\E[^/]+\\\\Q")).toList()));
    }
}
