package io.jobpulse.app;

import io.jobpulse.http.Problem;
import io.jobpulse.http.ProblemType;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.http.HttpResponse;
import jakarta.inject.Singleton;

/**
 * Counts the requests answered with a 4xx problem, {@value #METRIC}, by reason: the last path segment of the
 * problem's {@code type} ({@code https://jobpulse.io/problems/rate-limited} is {@code rate-limited}) and the
 * status. The reasons are Jobpulse's own fixed set, so the series are bounded. Counted where every answer
 * passes last ({@link ProblemResponses.EmptyRejections}), by the instance that answered: sum over instances.
 * A 4xx without a problem body (a {@code HEAD}) counts as {@value #NO_BODY}.
 */
@Singleton
public class Rejections {

    static final String METRIC = "jobpulse.http.rejections";
    static final String NO_BODY = "no-body";

    private final MeterRegistry registry;

    public Rejections(MeterRegistry registry) {
        this.registry = registry;
        // Every reason at 0 from the start, so that a rate of one that has not happened yet is 0, not absent.
        for (ProblemType type : ProblemType.values()) {
            if (type.status() >= 400 && type.status() < 500) {
                counter(type.slug(), type.status());
            }
        }
    }

    void count(HttpResponse<?> response) {
        int status = response.status().getCode();
        if (status < 400 || status >= 500) {
            return;
        }
        String reason = response.getBody().filter(Problem.class::isInstance).map(body -> reason((Problem) body)).orElse(NO_BODY);
        counter(reason, status).increment();
    }

    private Counter counter(String reason, int status) {
        return Counter.builder(METRIC).description("requests answered with a 4xx problem, by reason (the problem type's last segment)")
                .tag("reason", reason).tag("status", Integer.toString(status)).register(registry);
    }

    static String reason(Problem problem) {
        String type = problem.type() == null ? "" : problem.type();
        String last = type.substring(type.lastIndexOf('/') + 1);
        return last.isEmpty() ? "unknown" : last;
    }
}
