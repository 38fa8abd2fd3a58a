package io.jobpulse.outbound;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;
import io.micronaut.core.convert.format.ReadableBytes;

import java.time.Duration;
import java.util.List;

/**
 * The rules of every request Jobpulse makes on someone's behalf: status polls and provider
 * cancels ({@code jobpulse.outbound.*}).
 *
 * @param allowedPrivateNetworks  CIDR blocks or addresses that may be called although they are loopback, private,
 *                                link-local, CGNAT, multicast, unspecified or reserved (e.g. {@code 127.0.0.1/32} for a
 *                                provider on this machine); none by default
 * @param maxResponseSize         the most of an answer's body that is read; a longer answer is a failed request
 * @param requestTimeout          how long a request may take, from the lookup of its host to the last byte of its answer
 * @param connectTimeout          how long connecting may take
 * @param perOwnerConcurrentPolls how many status requests for one owner's jobs may be in flight at once, per instance
 * @param perOwnerPollsPerSecond  how many status requests per second one owner's jobs may make, per instance
 */
@ConfigurationProperties("jobpulse.outbound")
public record OutboundConfiguration(@Nullable List<String> allowedPrivateNetworks,
                                    @Bindable(defaultValue = "1MB") @ReadableBytes int maxResponseSize,
                                    @Bindable(defaultValue = "10s") Duration requestTimeout,
                                    @Bindable(defaultValue = "5s") Duration connectTimeout,
                                    @Bindable(defaultValue = "2") int perOwnerConcurrentPolls,
                                    @Bindable(defaultValue = "5") double perOwnerPollsPerSecond) {

    public OutboundConfiguration {
        allowedPrivateNetworks = allowedPrivateNetworks == null ? List.of() : List.copyOf(allowedPrivateNetworks);
        if (maxResponseSize < 1) {
            throw new IllegalArgumentException("jobpulse.outbound.max-response-size must be at least one byte");
        }
        if (perOwnerConcurrentPolls < 1 || !(perOwnerPollsPerSecond > 0)) {
            throw new IllegalArgumentException("jobpulse.outbound.per-owner-concurrent-polls and per-owner-polls-per-second must be above zero");
        }
    }

    /** The defaults, with these networks allowed. */
    public static OutboundConfiguration allowing(List<String> networks) {
        return new OutboundConfiguration(networks, 1 << 20, Duration.ofSeconds(10), Duration.ofSeconds(5), 2, 5);
    }
}
