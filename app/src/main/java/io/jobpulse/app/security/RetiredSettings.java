package io.jobpulse.app.security;

import io.micronaut.context.annotation.Context;
import io.micronaut.context.env.Environment;

/**
 * Refuses to start with {@code jobpulse.limits.trust-forwarded-for: true}. That setting counted
 * requests against the first, client-chosen entry of {@code X-Forwarded-For}; it is not mapped
 * onto {@code forwarded-for-hops}, because only the operator knows how many proxies stand in
 * front. {@code false} meant what no setting means now (the header is ignored) and is accepted.
 */
@Context
class RetiredSettings {

    RetiredSettings(Environment environment) {
        if (environment.getProperty(LimitsConfiguration.RETIRED_TRUST_FORWARDED_FOR, Boolean.class).orElse(false)) {
            throw new IllegalStateException(LimitsConfiguration.RETIRED_TRUST_FORWARDED_FOR + " (JOBPULSE_LIMITS_TRUST_FORWARDED_FOR)"
                    + " is no longer supported: it let clients choose their own address. Remove it and set"
                    + " jobpulse.limits.forwarded-for-hops (JOBPULSE_LIMITS_FORWARDED_FOR_HOPS) to the number of reverse proxies"
                    + " in front of Jobpulse that append to X-Forwarded-For, e.g. 1 behind one load balancer.");
        }
    }
}
