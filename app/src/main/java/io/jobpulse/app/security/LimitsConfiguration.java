package io.jobpulse.app.security;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import io.micronaut.core.convert.format.ReadableBytes;

/**
 * Abuse limits ({@code jobpulse.limits.*}), per instance.
 *
 * @param perIpPerSecond     requests per second from one client address, credential or not
 * @param perIpBurst         how many of those may come at once
 * @param perCallerPerSecond requests per second from one user or API key
 * @param perCallerBurst     how many of those may come at once
 * @param submitBody         the largest body of {@code POST /v1/jobs}
 * @param batchBody          the largest body of {@code POST /v1/batches} and {@code POST /v1/batches/{id}/jobs}: up to
 *                           {@code jobpulse.batches.max-jobs} jobs in one body (no more than {@code micronaut.server.max-request-size})
 * @param reportBody         the largest body of a worker report
 * @param webhookBody        the largest body of a provider callback
 * @param otherBody          the largest body of any other request (commands, polls, stream tokens)
 * @param forwardedForHops   how many trusted reverse proxies stand in front and append to {@code X-Forwarded-For};
 *                           the client address is the entry that many places from the right. 0 ignores the header
 * @param rateTableSize      how many client addresses, and how many credentials, an instance keeps a rate for;
 *                           the least recently seen is forgotten beyond it
 */
@ConfigurationProperties("jobpulse.limits")
public record LimitsConfiguration(
        @Bindable(defaultValue = "100") double perIpPerSecond,
        @Bindable(defaultValue = "200") double perIpBurst,
        @Bindable(defaultValue = "50") double perCallerPerSecond,
        @Bindable(defaultValue = "100") double perCallerBurst,
        @Bindable(defaultValue = "256KB") @ReadableBytes int submitBody,
        @Bindable(defaultValue = "4MB") @ReadableBytes int batchBody,
        @Bindable(defaultValue = "256KB") @ReadableBytes int reportBody,
        @Bindable(defaultValue = "1MB") @ReadableBytes int webhookBody,
        @Bindable(defaultValue = "16KB") @ReadableBytes int otherBody,
        @Bindable(defaultValue = "0") int forwardedForHops,
        @Bindable(defaultValue = "100000") int rateTableSize) {

    /** The setting {@code forwarded-for-hops} replaced; it took the client-chosen first entry, so it is refused. */
    static final String RETIRED_TRUST_FORWARDED_FOR = "jobpulse.limits.trust-forwarded-for";
}
