package io.jobpulse.notifications;

import io.jobpulse.events.DeliveryTypes;
import io.jobpulse.events.EndpointFilter;
import io.jobpulse.events.JobStatus;
import io.jobpulse.http.Problem;
import io.jobpulse.http.ProblemException;
import io.jobpulse.http.ProblemType;
import io.jobpulse.outbound.OutboundRequests;
import io.jobpulse.outbound.OutboundUrl;

import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What an endpoint may be: a URL Jobpulse may call (https unless the operator allows http, everywhere
 * or for the origins named in {@code http-origins}, and a
 * host whose every address is public unless the operator allows the network, as for polls), a
 * short description and a filter of known statuses and delivery types. Each refusal is a 400
 * naming the field.
 */
final class EndpointRules {

    static final int MAX_URL = 2_000;
    static final int MAX_DESCRIPTION = 500;
    static final int MAX_FILTER_ENTRIES = 50;
    static final int MAX_FILTER_ENTRY = 200;

    private final OutboundRequests outbound;
    private final boolean allowHttp;
    private final Set<String> httpOrigins;

    EndpointRules(OutboundRequests outbound, boolean allowHttp, Collection<String> httpOrigins) {
        this.outbound = outbound;
        this.allowHttp = allowHttp;
        // Compared in canonical form, so that http://LOCALHOST:80/ names the same origin as http://localhost.
        this.httpOrigins = httpOrigins.stream().map(origin -> origin(OutboundUrl.parse(origin))).collect(Collectors.toSet());
    }

    private static String origin(OutboundUrl url) {
        return url.scheme() + "://" + url.host() + ":" + url.port();
    }

    /** The URL in canonical form, once it may be called. Blocking: looks the host up. */
    String url(String raw) {
        if (raw == null || raw.isBlank()) {
            throw invalid("url", "An endpoint needs a 'url': where its webhooks are POSTed.");
        }
        if (raw.length() > MAX_URL) {
            throw invalid("url", "The 'url' is longer than " + MAX_URL + " characters.");
        }
        OutboundUrl url;
        try {
            url = OutboundUrl.parse(raw);
        } catch (OutboundUrl.Invalid e) {
            throw invalid("url", "The 'url' cannot be called: " + e.getMessage() + ".");
        }
        if (!"https".equals(url.scheme()) && !allowHttp && !httpOrigins.contains(origin(url))) {
            throw invalid("url", "The 'url' must be https (plain http is allowed only where the operator sets"
                    + " jobpulse.notifications.allow-http, or names its origin in jobpulse.notifications.http-origins).");
        }
        try {
            outbound.checkAddresses(url);
        } catch (OutboundRequests.Refused e) {
            throw invalid("url", "Jobpulse will not call this 'url': " + e.getMessage() + ".");
        }
        return url.toString();
    }

    static String description(String description) {
        if (description != null && description.length() > MAX_DESCRIPTION) {
            throw invalid("description", "The 'description' is longer than " + MAX_DESCRIPTION + " characters.");
        }
        return description;
    }

    static EndpointFilter filter(EndpointFilter filter) {
        if (filter == null) {
            return EndpointFilter.ALL;
        }
        bounded("filter.types", filter.types());
        bounded("filter.tags", filter.tags());
        bounded("filter.statuses", filter.statuses());
        bounded("filter.events", filter.events());
        for (String status : filter.statuses()) {
            if (JobStatus.fromWireName(status).isEmpty()) {
                throw invalid("filter.statuses", "'" + status + "' is not a status; use queued, running, succeeded, failed, canceled or expired.");
            }
        }
        for (String event : filter.events()) {
            if (!DeliveryTypes.ALL.contains(event)) {
                throw invalid("filter.events", "'" + event + "' is not a delivery type; use one of " + String.join(", ", DeliveryTypes.ALL) + ".");
            }
        }
        return filter;
    }

    private static void bounded(String field, List<String> values) {
        if (values.size() > MAX_FILTER_ENTRIES) {
            throw invalid(field, "'" + field + "' has more than " + MAX_FILTER_ENTRIES + " entries.");
        }
        for (String value : values) {
            if (value == null || value.isBlank() || value.length() > MAX_FILTER_ENTRY) {
                throw invalid(field, "Each entry of '" + field + "' must be 1 to " + MAX_FILTER_ENTRY + " characters.");
            }
        }
    }

    static ProblemException invalid(String field, String detail) {
        return new ProblemException(Problem.of(ProblemType.INVALID_REQUEST, detail).with("field", field));
    }
}
