package io.jobpulse.ingest;

import io.jobpulse.events.Roles;
import io.jobpulse.ingest.webhooks.Providers;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;

import java.util.Locale;

/**
 * What ingest hears from providers: {@value #VERIFICATIONS} (their signed callbacks, by provider and verdict)
 * and {@value #POLLS} (the poller's requests to their status URLs, by provider and outcome). The provider label
 * is always a configured provider's name (a callback to an unknown one is a 404 and not counted), so the series
 * are bounded by the configuration. Counted by the instance that handled the request: sum over instances.
 */
@Singleton
@Requires(property = Roles.PROPERTY, pattern = Roles.INGEST)
public class IngestMetrics {

    static final String VERIFICATIONS = "jobpulse.webhook.verifications";
    static final String POLLS = "jobpulse.polls";

    /** The verdict on a callback. */
    public enum Verdict {
        /** signed as the provider signs, and bound to its job when it names one */
        VERIFIED,
        /** a signature missing, malformed, stale or not the provider's */
        BAD_SIGNATURE,
        /** it names a job without that job's token for the provider */
        BAD_TOKEN,
        /** the provider has no secret or key to check callbacks with */
        NO_KEY;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** What came of one poll. */
    public enum PollOutcome {
        /** the provider answered something new, written as a {@code job.poll-observed} event */
        CHANGED,
        /** the same as the last answer */
        UNCHANGED,
        /** 429 or 503: it asked to be left alone for a while */
        THROTTLED,
        /** another status that is not 2xx */
        ERROR_STATUS,
        /** no answer: a timeout, no connection, or an answer refused (too large, a redirect, a private address) */
        NO_ANSWER;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final MeterRegistry registry;

    public IngestMetrics(MeterRegistry registry, Providers providers) {
        this.registry = registry;
        // Every configured provider's series from the start, at 0: a rate over a series that appears only with
        // its first increment misses that increment, and an alert on a ratio needs both sides.
        for (String provider : providers.names()) {
            for (Verdict verdict : Verdict.values()) {
                verifications(provider, verdict);
            }
            for (PollOutcome outcome : PollOutcome.values()) {
                polls(provider, outcome);
            }
        }
    }

    void verification(String provider, Verdict verdict) {
        verifications(provider, verdict).increment();
    }

    void poll(String provider, PollOutcome outcome) {
        polls(provider, outcome).increment();
    }

    private Counter verifications(String provider, Verdict verdict) {
        return Counter.builder(VERIFICATIONS).description("provider callbacks checked, by verdict")
                .tag("provider", provider).tag("verdict", verdict.label()).register(registry);
    }

    private Counter polls(String provider, PollOutcome outcome) {
        return Counter.builder(POLLS).description("polls of providers' status URLs, by outcome")
                .tag("provider", provider).tag("outcome", outcome.label()).register(registry);
    }
}
