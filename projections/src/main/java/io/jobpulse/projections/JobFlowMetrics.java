package io.jobpulse.projections;

import io.jobpulse.events.JobState;
import io.jobpulse.events.JobStatus;
import io.jobpulse.events.Roles;
import io.jobpulse.events.StatusChange;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;

import java.time.Duration;
import java.util.List;

/**
 * Jobs submitted and finished, and how long they took to start and to finish, counted from the status changes
 * the projectors write.
 *
 * <p>Why here: the projectors' consumer group shares the partitions of {@code jobpulse.job-status}, so each
 * change reaches one projections instance, and a change is counted only when its row in {@code job_changes}
 * was inserted by this write (a change already there, replayed after a crash or a rebalance, is not). So a sum
 * over instances counts each change once, cluster-wide. Known limits: a process that dies between the commit
 * and the count loses those counts; a change replayed after retention removed its job counts again.
 *
 * <p>Time to start is measured for a job's first attempt only (from its submission to its first
 * {@code running}); time to finish from submission to each finish, earlier attempts included.
 */
@Singleton
@Requires(property = Roles.PROPERTY, pattern = Roles.PROJECTIONS)
public class JobFlowMetrics {

    static final String SUBMITTED = "jobpulse.jobs.submitted";
    static final String FINISHED = "jobpulse.jobs.finished";
    static final String TIME_TO_START = "jobpulse.jobs.time.to.start";
    static final String TIME_TO_FINISH = "jobpulse.jobs.time.to.finish";

    /** Histogram buckets from a second to a day: jobs here are slow ones (generation, media, batch calls). */
    private static final Duration[] BUCKETS = {Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofSeconds(1),
            Duration.ofSeconds(5), Duration.ofSeconds(15), Duration.ofSeconds(30), Duration.ofMinutes(1), Duration.ofMinutes(5),
            Duration.ofMinutes(15), Duration.ofMinutes(30), Duration.ofHours(1), Duration.ofHours(3), Duration.ofHours(12),
            Duration.ofDays(1)};

    private final MeterRegistry registry;
    private final TypeLabels types;

    public JobFlowMetrics(MeterRegistry registry, TypeLabels types) {
        this.registry = registry;
        this.types = types;
    }

    /** Counts changes that were newly written to the read model. */
    void count(List<StatusChange> applied) {
        for (StatusChange change : applied) {
            JobState job = change.job();
            String type = types.of(job.type());
            if (change.previousStatus() == null) {
                Counter.builder(SUBMITTED).description("jobs submitted").tag("type", type).register(registry).increment();
            }
            if (change.status() == JobStatus.RUNNING && change.previousStatus() == JobStatus.QUEUED && job.attempt() <= 1) {
                timer(TIME_TO_START, "from a job's submission to its first start", type, null)
                        .record(since(job, change));
            }
            if (change.status().isTerminal() && (change.previousStatus() == null || !change.previousStatus().isTerminal())) {
                String status = change.status().wireName();
                Counter.builder(FINISHED).description("jobs that reached a terminal status")
                        .tag("type", type).tag("status", status).register(registry).increment();
                timer(TIME_TO_FINISH, "from a job's submission to its finish", type, status).record(since(job, change));
            }
        }
    }

    private Timer timer(String name, String description, String type, String status) {
        Timer.Builder timer = Timer.builder(name).description(description).tag("type", type).serviceLevelObjectives(BUCKETS);
        return (status == null ? timer : timer.tag("status", status)).register(registry);
    }

    private static Duration since(JobState job, StatusChange change) {
        if (job.createdAt() == null || change.at() == null || change.at().isBefore(job.createdAt())) {
            return Duration.ZERO;
        }
        return Duration.between(job.createdAt(), change.at());
    }
}
